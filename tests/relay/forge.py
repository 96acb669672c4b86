"""A local stand-in of the forge's REST API (the part the relay uses), recording every request it receives.

It checks what GitHub would: the App's JWT (RS256 under the App's public key, `iss`, at most ten minutes),
installation tokens minted for one repository and the permissions asked, and that each call uses a live
token that carries the permission it needs.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

APP_ID, INSTALLATION, OWNER, REPO = "424242", "77", "example", "tsunagu-sakura"
BOT = "tsunagu-relay[bot]"


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Forge:
    """What the stand-in holds: the App's public key, the tokens it minted, the issues, every request."""

    public_key: rsa.RSAPublicKey
    requests: list[dict[str, Any]] = field(default_factory=list)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)  # token -> {"permissions", "revoked"}
    issues: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    drop_labels: bool = False  # as GitHub does, silently, where it deems the creator may not set them

    def jwt_problem(self, auth: str) -> str | None:
        """Why the App's JWT would be refused, or None."""
        parts = auth.removeprefix("Bearer ").split(".")
        if len(parts) != 3:
            return "not a JWT"
        head, claims = (json.loads(_unb64(p)) for p in parts[:2])
        try:
            self.public_key.verify(
                _unb64(parts[2]), f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except InvalidSignature:
            return "bad signature"
        if head != {"alg": "RS256", "typ": "JWT"} or claims.get("iss") != APP_ID:
            return "wrong header or issuer"
        if not 0 < claims["exp"] - claims["iat"] <= 600:
            return "lifetime over ten minutes"
        return None

    def token_allows(self, auth: str, access: str) -> bool:
        """Whether the call's installation token is live and grants issues at this access."""
        token = self.tokens.get(auth.removeprefix("Bearer "))
        if not token or token["revoked"]:
            return False
        granted = token["permissions"].get("issues")
        return granted == "write" or granted == access

    def handle(self, method: str, path: str, auth: str, body: Any) -> tuple[int, Any]:
        """The forge's answer to one call."""
        url = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if method == "POST" and url.path == f"/app/installations/{INSTALLATION}/access_tokens":
            if problem := self.jwt_problem(auth):
                return 401, {"message": problem}
            token = f"ghs_{len(self.tokens) + 1:036d}"
            self.tokens[token] = {
                "permissions": body["permissions"],
                "revoked": False,
                "repositories": body["repositories"],
            }
            return 201, {"token": token, "permissions": body["permissions"]}
        if method == "DELETE" and url.path == "/installation/token":
            self.tokens[auth.removeprefix("Bearer ")]["revoked"] = True
            return 204, None
        if url.path == f"/repos/{OWNER}/{REPO}/issues":
            if method == "POST":
                if not self.token_allows(auth, "write"):
                    return 403, {"message": "Resource not accessible by integration"}
                now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                labels = [] if self.drop_labels else [{"name": n} for n in body.get("labels", [])]
                issue = {
                    "number": len(self.issues) + 1,
                    "title": body["title"],
                    "body": body["body"],
                    "labels": labels,
                    "state": "open",
                    "created_at": now,
                    "updated_at": now,
                    "user": {"login": BOT, "type": "Bot"},
                }
                self.issues.append(issue)
                return 201, issue
            if not self.token_allows(auth, "read"):
                return 403, {"message": "Resource not accessible by integration"}
            found = [
                i
                for i in reversed(self.issues)
                if query.get("labels") in [x["name"] for x in i["labels"]] and i["updated_at"] >= query.get("since", "")
            ]
            page, size = int(query.get("page", 1)), int(query.get("per_page", 30))
            return 200, found[(page - 1) * size : page * size]
        if method == "POST" and (labelled := re.fullmatch(rf"/repos/{OWNER}/{REPO}/issues/(\d+)/labels", url.path)):
            if not self.token_allows(auth, "write"):
                return 403, {"message": "Resource not accessible by integration"}
            issue = self.issues[int(labelled.group(1)) - 1]
            issue["labels"] += [{"name": n} for n in body["labels"] if {"name": n} not in issue["labels"]]
            return 200, issue["labels"]
        if method == "GET" and url.path == "/search/issues":
            if not self.token_allows(auth, "read"):
                return 403, {"message": "Resource not accessible by integration"}
            receipt = re.search(r'in:title "([^"]+)"', query.get("q", ""))
            items = [i for i in self.issues if receipt and receipt.group(1) in i["title"]]
            return 200, {"total_count": len(items), "items": items}
        return 404, {"message": "Not Found"}


def serve(forge: Forge) -> ThreadingHTTPServer:
    """Serve the stand-in on a free local port (in a thread); the caller shuts it down."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive as the forge does: runtimes pool their connections

        def answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            auth = self.headers.get("Authorization", "")
            with forge.lock:
                forge.requests.append({"method": self.command, "path": self.path, "auth": auth, "body": body})
                status, answer = forge.handle(self.command, self.path, auth, body)
            data = b"" if answer is None else json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_DELETE = answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
