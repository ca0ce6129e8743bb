"""A minimal OpenID Connect provider on 127.0.0.1 for tests: discovery, JWKS, authorize and
token endpoints (authorization code flow), signing id_tokens with an RSA key made for the run.

The "user" who signs in at the provider is whoever the test names (`provider.sign_in_as`);
`provider.tamper` changes claims of the next id_tokens (a wrong nonce, another audience...),
and `provider.sign_with_other_key` signs them with a key the JWKS does not hold. What the token
endpoint was sent is kept in `provider.token_requests`.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.support.servers import serving


def rsa_key(kid: str) -> RSAKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return RSAKey.import_key(pem, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


@dataclass
class OidcProvider:
    client_id: str
    client_secret: str
    url: str = ""
    sign_in_as: dict[str, Any] = field(
        default_factory=lambda: {"email": "hr@example.com", "email_verified": True}
    )
    tamper: dict[str, Any] = field(default_factory=dict)
    sign_with_other_key: bool = False
    discovery_issuer: str | None = None  # what discovery says the issuer is (default: its URL)
    key: RSAKey = field(default_factory=lambda: rsa_key("test-key"))
    other_key: RSAKey = field(default_factory=lambda: rsa_key("test-key"))  # same kid, not published
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": "sub-" + grant["email"],
            "aud": self.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            **{k: v for k, v in grant.items() if k not in ("nonce", "redirect_uri")},
            **self.tamper,
        }
        key = self.other_key if self.sign_with_other_key else self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def provider_app(provider: OidcProvider) -> Flask:
    app = Flask(__name__)

    @app.get("/.well-known/openid-configuration")
    def discovery():
        base = provider.url
        return jsonify(
            issuer=provider.discovery_issuer or base,
            authorization_endpoint=f"{base}/authorize",
            token_endpoint=f"{base}/token",
            jwks_uri=f"{base}/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"],
        )

    @app.get("/jwks")
    def jwks():
        return jsonify(keys=[provider.key.as_dict(private=False)])

    @app.get("/authorize")
    def authorize():
        args = request.args
        if args.get("client_id") != provider.client_id or args.get("response_type") != "code":
            return jsonify(error="invalid_request"), 400
        if "openid" not in args.get("scope", "").split():
            return jsonify(error="invalid_scope"), 400
        code = secrets.token_urlsafe(16)
        provider.codes[code] = {
            "nonce": args.get("nonce", ""),
            "redirect_uri": args.get("redirect_uri", ""),
            **provider.sign_in_as,
        }
        query = urlencode({"code": code, "state": args.get("state", "")})
        return redirect(f"{args['redirect_uri']}?{query}")

    @app.post("/token")
    def token():
        form = request.form.to_dict()
        provider.token_requests.append(form)
        client_id, secret = client_credentials(form)
        if (client_id, secret) != (provider.client_id, provider.client_secret):
            return jsonify(error="invalid_client"), 401
        grant = provider.codes.pop(form.get("code", ""), None)  # a code works once
        if form.get("grant_type") != "authorization_code" or grant is None:
            return jsonify(error="invalid_grant"), 400
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return jsonify(error="invalid_grant"), 400
        return jsonify(
            access_token=secrets.token_urlsafe(16),
            token_type="Bearer",
            expires_in=300,
            id_token=provider.id_token(grant),
        )

    return app


def client_credentials(form: dict[str, str]) -> tuple[str, str]:
    header = request.headers.get("Authorization", "")
    if header.startswith("Basic "):
        client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        return client_id, secret
    return form.get("client_id", ""), form.get("client_secret", "")


@contextmanager
def oidc_provider(
    client_id: str = "careers-site", client_secret: str = "provider-secret"
) -> Iterator[OidcProvider]:
    provider = OidcProvider(client_id, client_secret)
    with serving(provider_app(provider)) as url:
        provider.url = url
        yield provider
