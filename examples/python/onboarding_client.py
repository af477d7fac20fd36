"""A sales system's onboarding client in Python, written from docs/contract.md alone.

It shows what a client in any language needs: the domain -> workflow id rule (section 2), the start
options (section 3), the messages by name (section 6), the outcomes (section 7), listing by stage
and the memo (section 8), and a payload codec that asks the project's codec server to encrypt and
decrypt (section 10), so this process never holds the key. Standard library plus `temporalio`.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import json
import time
import unicodedata
import urllib.error
import urllib.request
from typing import Any, List, Mapping, Optional, Sequence

import temporalio.converter
from temporalio.api.common.v1 import Payload
from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)

TASK_QUEUE = "customer-onboarding"
WORKFLOW_TYPE = "onboardCustomer"
CUSTOMER_DOMAIN = SearchAttributeKey.for_keyword("CustomerDomain")
ONBOARDING_STAGE = SearchAttributeKey.for_keyword("OnboardingStage")
IDEOGRAPHIC_DOTS = ("\u3002", "\uff0e", "\uff61")


def normalize_domain(domain: str) -> str:
    """Section 2: trim, NFKC, lower case, ideographic dots, one trailing dot, per-label punycode.

    Not the `idna` codec: it implements IDNA 2003 and maps "ß" to "ss" (another domain, another id).
    """
    folded = unicodedata.normalize("NFKC", domain.strip()).lower()
    for dot in IDEOGRAPHIC_DOTS:
        folded = folded.replace(dot, ".")
    if folded.endswith("."):
        folded = folded[:-1]
    labels = folded.split(".")
    return ".".join(label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii") for label in labels)


def workflow_id(domain: str) -> str:
    return "onboarding:" + normalize_domain(domain)


class CodecServerError(Exception):
    """The codec server refused (status and its generic message): see docs/contract.md section 10."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"codec server answered {status}: {message}")
        self.status = status


class RemoteCodec(temporalio.converter.PayloadCodec, temporalio.converter.WithSerializationContext):
    """Encrypts and decrypts through the codec server: POST /encode and /decode with {payloads: [...]}.

    Release 0.4 binds every payload to its workflow (docs/contract.md section 12, Binding): the SDK hands
    the codec the target workflow's id (its serialization context), sent as X-Workflow-Id.
    """

    def __init__(
        self, url: str, token: Optional[str] = None, namespace: str = "default", workflow_id: Optional[str] = None
    ) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.namespace = namespace
        self.workflow_id = workflow_id

    def with_context(self, context: temporalio.converter.SerializationContext) -> "RemoteCodec":
        workflow_id = getattr(context, "workflow_id", None)
        namespace = getattr(context, "namespace", None) or self.namespace
        if not workflow_id:
            return self
        return RemoteCodec(self.url, self.token, namespace, workflow_id)

    async def encode(self, payloads: Sequence[Payload]) -> List[Payload]:
        return await self._call("/encode", payloads)

    async def decode(self, payloads: Sequence[Payload]) -> List[Payload]:
        return await self._call("/decode", payloads)

    async def _call(self, path: str, payloads: Sequence[Payload]) -> List[Payload]:
        if not payloads:
            return []
        body = json.dumps({"payloads": [_to_json(p) for p in payloads]}).encode()
        answer = await asyncio.to_thread(self._post, path, body)
        return [_from_json(p) for p in answer["payloads"]]

    def _post(self, path: str, body: bytes) -> Mapping[str, Any]:
        headers = {"Content-Type": "application/json", "X-Namespace": self.namespace}
        if self.workflow_id:
            headers["X-Workflow-Id"] = self.workflow_id
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url + path, data=body, headers=headers, method="POST")
        for attempt in range(5):
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return json.loads(response.read())
            except urllib.error.HTTPError as err:
                message = json.loads(err.read() or b"{}").get("error", "")
                if err.code == 503 and attempt < 4:  # busy: Retry-After 1
                    time.sleep(1)
                    continue
                raise CodecServerError(err.code, message) from None
        raise CodecServerError(503, "busy")


def _to_json(payload: Payload) -> Mapping[str, Any]:
    return {
        "metadata": {k: base64.b64encode(v).decode("ascii") for k, v in payload.metadata.items()},
        "data": base64.b64encode(payload.data).decode("ascii"),
    }


def _from_json(payload: Mapping[str, Any]) -> Payload:
    return Payload(
        metadata={k: base64.b64decode(v) for k, v in (payload.get("metadata") or {}).items()},
        data=base64.b64decode(payload.get("data") or ""),
    )


def data_converter(codec: Optional[temporalio.converter.PayloadCodec]) -> temporalio.converter.DataConverter:
    """JSON payloads through the codec; failure messages are encrypted too (encoded failure attributes)."""
    return dataclasses.replace(
        temporalio.converter.default(),
        payload_codec=codec,
        failure_converter_class=temporalio.converter.DefaultFailureConverterWithEncodedAttributes,
    )


async def connect(address: str, namespace: str, codec_url: Optional[str], codec_token: Optional[str] = None) -> Client:
    codec = RemoteCodec(codec_url, codec_token, namespace) if codec_url else None
    return await Client.connect(address, namespace=namespace, data_converter=data_converter(codec))


async def start(client: Client, order: Mapping[str, Any]) -> WorkflowHandle:
    """Section 3. Raises temporalio.exceptions.WorkflowAlreadyStartedError when the domain's onboarding
    runs or completed (a domain is onboarded once)."""
    domain = normalize_domain(order["customerDomain"])
    return await client.start_workflow(
        WORKFLOW_TYPE,
        order,
        id=workflow_id(domain),
        task_queue=TASK_QUEUE,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE_FAILED_ONLY,
        search_attributes=TypedSearchAttributes(
            [SearchAttributePair(CUSTOMER_DOMAIN, domain), SearchAttributePair(ONBOARDING_STAGE, "validating")]
        ),
    )


def handle(client: Client, domain: str) -> WorkflowHandle:
    return client.get_workflow_handle(workflow_id(domain))


async def status(client: Client, domain: str) -> Mapping[str, Any]:
    """The `status` query (a worker answers)."""
    return await handle(client, domain).query("status")


async def status_from_memo(client: Client, domain: str) -> Optional[Mapping[str, Any]]:
    """The status as of the last stage change, without a worker (memo `status`, decrypted by the codec)."""
    memo = await (await handle(client, domain).describe()).memo()
    return memo.get("status")


async def list_by_stage(client: Client, stage: str) -> List[Mapping[str, Any]]:
    """Section 8: one row per onboarding at that stage (earlier runs of a continued wait left out)."""
    query = (
        f"WorkflowType = '{WORKFLOW_TYPE}' AND ExecutionStatus != 'ContinuedAsNew' AND OnboardingStage = '{stage}'"
    )
    rows = []
    async for execution in client.list_workflows(query):
        rows.append(
            {
                "workflowId": execution.id,
                "customerDomain": execution.typed_search_attributes.get(CUSTOMER_DOMAIN),
                "stage": execution.typed_search_attributes.get(ONBOARDING_STAGE),
                "executionStatus": execution.status.name if execution.status else None,
            }
        )
    return rows


async def accept_tos(client: Client, domain: str, reported_by: str) -> None:
    await handle(client, domain).signal("tosAccepted", {"reportedBy": reported_by})


async def domain_verified(client: Client, domain: str, reported_by: str) -> None:
    await handle(client, domain).signal("domainVerified", {"reportedBy": reported_by})


async def extend_deadline(client: Client, domain: str, request_id: str, by: str) -> Mapping[str, Any]:
    """Update id = the request id: a retry with the same id is applied once and answers the same."""
    return await handle(client, domain).execute_update("extendDeadline", {"by": by}, id=request_id)


async def provide_transfer_token(client: Client, domain: str, request_id: str, token: str) -> Mapping[str, Any]:
    return await handle(client, domain).execute_update("provideTransferToken", token, id=request_id)


async def cancel(client: Client, domain: str, reason: str, requested_by: str) -> None:
    """The reason first (Temporal's cancel carries none), then the cancel request."""
    h = handle(client, domain)
    await h.signal("cancellationReason", {"reason": reason, "requestedBy": requested_by})
    await h.cancel()
