"""A small but real OpenID Connect provider for tests, served over HTTP on 127.0.0.1 in a thread.

It implements discovery, an authorize endpoint that approves the configured person at once,
a token endpoint (client_secret_basic, PKCE S256 checked, codes single-use unless `reuse_codes`)
and a JWKS endpoint publishing one RSA key. ID tokens are signed with joserfc. To misbehave on
purpose, tests set `signing_key` (a key the JWKS does not publish), `claim_overrides` (aud, iss,
nonce...) or `lifetime_s` (negative: already expired).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import secrets
import threading
from typing import Any
from urllib.parse import unquote_plus, urlencode, urlsplit

from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey
from werkzeug.serving import make_server

from forum.core import clock

CLIENT_ID = "horseshoe-tests"
CLIENT_SECRET = "correct horse battery staple"
KEY_ID = "key-1"


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


class Provider:
    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": KEY_ID})
        self.signing_key = self.key
        self.person: dict[str, Any] = {
            "sub": "idp-0001", "email": "ada@example.com", "email_verified": True,
            "preferred_username": "ada", "name": "Ada Lovelace",
        }
        self.claim_overrides: dict[str, Any] = {}
        self.discovery_overrides: dict[str, Any] = {}
        self.lifetime_s = 300
        self.reuse_codes = False
        self.codes: dict[str, dict[str, str]] = {}
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, in order
        self.token_requests: list[dict[str, str]] = []
        self._server = make_server("127.0.0.1", 0, self._app(), threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> Provider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def authorize(self, url: str) -> str:
        """Visit the authorize URL as the browser would; returns where the provider sends it back to."""
        parts = urlsplit(url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        try:
            connection.request("GET", f"{parts.path}?{parts.query}")
            response = connection.getresponse()
            assert response.status == 302, (response.status, response.read())
            return response.getheader("Location")
        finally:
            connection.close()

    def id_token(self, nonce: str) -> str:
        now = int(clock.now().timestamp())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + self.lifetime_s, "nonce": nonce,
                  **self.person, **self.claim_overrides}
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, self.signing_key)

    def _app(self) -> Flask:
        app = Flask("test-oidc-provider")

        @app.before_request
        def note() -> None:
            self.requests.append((request.method, request.path))

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify({
                "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"], **self.discovery_overrides,
            })

        @app.get("/jwks")
        def jwks():
            return jsonify(keys=[self.key.as_dict(private=False)])

        @app.get("/authorize")
        def authorize():
            args = request.args
            if args.get("client_id") != CLIENT_ID or args.get("code_challenge_method") != "S256":
                return jsonify(error="invalid_request"), 400
            code = secrets.token_urlsafe(16)
            self.codes[code] = {key: args.get(key, "") for key in ("redirect_uri", "nonce", "code_challenge", "scope")}
            return redirect(f"{args['redirect_uri']}?{urlencode({'code': code, 'state': args.get('state', '')})}")

        @app.post("/token")
        def token():
            self.token_requests.append(dict(request.form))
            auth = request.authorization
            # RFC 6749 2.3.1: both halves are form-urlencoded before they are joined.
            if auth is None or (unquote_plus(auth.username), unquote_plus(auth.password)) != (CLIENT_ID, CLIENT_SECRET):
                return jsonify(error="invalid_client"), 401
            grant = self.codes.get(request.form.get("code", "")) if self.reuse_codes else \
                self.codes.pop(request.form.get("code", ""), None)
            if grant is None or grant["redirect_uri"] != request.form.get("redirect_uri"):
                return jsonify(error="invalid_grant"), 400
            if s256(request.form.get("code_verifier", "")) != grant["code_challenge"]:
                return jsonify(error="invalid_grant", error_description="PKCE verification failed"), 400
            return jsonify(access_token=secrets.token_urlsafe(16), token_type="Bearer", expires_in=300,
                           id_token=self.id_token(grant["nonce"]))

        return app
