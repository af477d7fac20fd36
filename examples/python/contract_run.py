"""Runs every scenario of docs/contract.md against a running stack and prints what happened, as JSON.

    python contract_run.py config.json

config.json: {"address", "namespace", "codecUrl", "codecToken"?, "emulatorUrl"? (the transfer scenario),
"order" (a valid order to vary), "domains": {"complete", "cancel", "transfer", "plaintext", "invalid"},
"idVectors": [domain, ...]}.
The report's fields are the facts a reviewer (or test/python-client.test.ts) checks.
"""

from __future__ import annotations

import asyncio
import copy
import json
import sys
import time
import urllib.request
from typing import Any, Awaitable, Callable, Mapping

from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ApplicationError, CancelledError, WorkflowAlreadyStartedError

import onboarding_client as oc


def order_for(base: Mapping[str, Any], domain: str) -> dict:
    order = copy.deepcopy(dict(base))
    order["customerDomain"] = domain
    order["admin"] = {**order["admin"], "primaryEmail": "admin@" + oc.normalize_domain(domain)}
    return order


async def eventually(read: Callable[[], Awaitable[Any]], done: Callable[[Any], bool], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = await read()
            if done(last):
                return last
        except Exception as err:  # not started yet, not visible yet
            last = repr(err)
        await asyncio.sleep(0.2)
    raise TimeoutError(f"not reached in {timeout} s; last: {last!r}")


async def outcome(client: Client, domain: str) -> Mapping[str, Any]:
    """Section 7: a result, or the failure's kind, type and message."""
    try:
        return {"result": await oc.handle(client, domain).result()}
    except WorkflowFailureError as err:
        cause = err.cause
        if isinstance(cause, CancelledError):
            return {"failure": "cancelled"}
        if isinstance(cause, ApplicationError):
            return {"failure": "application", "type": cause.type, "message": cause.message}
        return {"failure": type(cause).__name__, "message": str(cause)}


async def refused_start(client: Client, order: Mapping[str, Any]) -> str:
    try:
        await oc.start(client, order)
        return "started"
    except WorkflowAlreadyStartedError:
        return "refused: already started"


async def complete(client: Client, config: Mapping[str, Any], report: dict) -> None:
    domain = config["domains"]["complete"]
    order = order_for(config["order"], domain)
    started = await oc.start(client, order)
    report["start"] = {"workflowId": started.id}
    report["duplicateStart"] = await refused_start(client, order)
    waiting = await eventually(lambda: oc.status(client, domain), lambda s: s["stage"] == "awaiting-tos")
    report["status"] = {"stage": waiting["stage"], "deadline": waiting["waitingFor"]["deadline"]}
    listed = await eventually(
        lambda: oc.list_by_stage(client, "awaiting-tos"),
        lambda rows: any(r["workflowId"] == started.id for r in rows),
    )
    report["listed"] = [r for r in listed if r["workflowId"] == started.id]
    request_id = "crm-request-" + domain
    first = await oc.extend_deadline(client, domain, request_id, "7 days")
    retried = await oc.extend_deadline(client, domain, request_id, "7 days")
    after = await oc.status(client, domain)
    report["extendDeadline"] = {"first": first, "retried": retried, "statusDeadline": after["waitingFor"]["deadline"]}
    await oc.domain_verified(client, domain, "python-ops")
    await oc.accept_tos(client, domain, "python-crm")
    report["completed"] = await outcome(client, domain)
    report["startAfterCompleted"] = await refused_start(client, order)
    report["memoAfterCompleted"] = (await oc.status_from_memo(client, domain) or {}).get("stage")


async def cancelled(client: Client, config: Mapping[str, Any], report: dict) -> None:
    domain = config["domains"]["cancel"]
    await oc.start(client, order_for(config["order"], domain))
    await eventually(lambda: oc.status(client, domain), lambda s: s["stage"] == "awaiting-tos")
    await oc.cancel(client, domain, "customer withdrew the order", "python-crm")
    report["cancelled"] = await outcome(client, domain)
    memo = await oc.status_from_memo(client, domain) or {}
    report["cancelledMemo"] = {"stage": memo.get("stage"), "cancellation": memo.get("cancellation")}


def emulator_post(url: str, body: Any) -> Any:
    """The emulator's control endpoints (docs/contract.md section 11): JSON in, JSON out."""
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


async def transfer(client: Client, config: Mapping[str, Any], report: dict) -> None:
    """A domain Google holds: the token handed over twice under one request id is queued once."""
    domain = config["domains"]["transfer"]
    token = "token-from-the-customer-" + domain.split(".")[0]
    seed = {
        "customers": [
            {
                "customerDomain": domain,
                "owner": "google",
                "transferTokens": [{"token": token}],
                "subscriptions": [
                    {
                        "skuId": "1010020028",
                        "planName": "ANNUAL_MONTHLY_PAY",
                        "seats": 10,
                        "minimumTransferableSeats": 10,
                    }
                ],
            }
        ]
    }
    await asyncio.to_thread(emulator_post, config["emulatorUrl"] + "/_emulator/seed", seed)
    order = {**order_for(config["order"], domain), "subscriptions": []}
    await oc.start(client, order)
    await eventually(lambda: oc.status(client, domain), lambda s: s["stage"] == "awaiting-transfer-token")
    request_id = "crm-token-" + domain
    first = await oc.provide_transfer_token(client, domain, request_id, token)
    retried = await oc.provide_transfer_token(client, domain, request_id, token)
    # Release 0.4: after the move each super admin signs Google's new terms; the customer does it (emulator).
    await eventually(
        lambda: oc.status(client, domain),
        lambda s: s["stage"] == "awaiting-tos" and "transferred" in s.get("transfer", {}),
        timeout=90,
    )
    await asyncio.to_thread(emulator_post, f"{config['emulatorUrl']}/_emulator/customers/{domain}/accept-tos", {})
    done = await eventually(lambda: oc.status(client, domain), lambda s: s["stage"] == "completed", timeout=90)
    report["transfer"] = {
        "first": first,
        "retried": retried,
        "tokens": done.get("transfer", {}).get("tokens"),
        "outcome": await outcome(client, domain),
    }


async def plaintext(config: Mapping[str, Any], report: dict) -> None:
    """A client without the codec: the worker requires encrypted input and refuses it."""
    bare = await oc.connect(config["address"], config["namespace"], None)
    domain = config["domains"]["plaintext"]
    await oc.start(bare, order_for(config["order"], domain))
    result = await outcome(bare, domain)
    report["plaintext"] = {"failure": result.get("failure"), "type": result.get("type")}


async def invalid(client: Client, config: Mapping[str, Any], report: dict) -> None:
    domain = config["domains"]["invalid"]
    order = order_for(config["order"], domain)
    order["postalAddress"] = {**order["postalAddress"], "countryCode": "XX"}
    order["subscriptions"] = [{"skuId": "1010020028", "plan": "MONTHLY", "seats": 10}]
    await oc.start(client, order)
    report["invalidOrder"] = await outcome(client, domain)


async def main(config: Mapping[str, Any]) -> dict:
    report: dict = {"workflowIds": {d: oc.workflow_id(d) for d in config.get("idVectors", [])}}
    client = await oc.connect(config["address"], config["namespace"], config["codecUrl"], config.get("codecToken"))
    await complete(client, config, report)
    await cancelled(client, config, report)
    if config.get("emulatorUrl"):
        await transfer(client, config, report)
    await plaintext(config, report)
    await invalid(client, config, report)
    return report


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as file:
        print(json.dumps(asyncio.run(main(json.load(file)))))
