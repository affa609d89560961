"""A small OpenID Connect provider on 127.0.0.1 for the SITHS sign-in tests: discovery,
JWKS, authorize, token, userinfo and end-session, with RS256 ID tokens (joserfc).

oidc-provider-mock was the first choice, but its releases for Python 3.11 (0.3.x) cannot
be told to issue a wrong audience, an expired token or a bad signature, which the tests
must see refused. Here the next sign-in's claims and faults are set on ``provider``:

    provider.sign_in_as({"employeeHsaId": "SE2321000131-E000000000001", "acr": LOA3})
    provider.faults = {"aud": "someone-else"}   # or "iss", "exp", "skew", "foreign_key", "state"

The authorize endpoint answers at once (no form): the person "signed in" is the one set.
"""

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "halland-utbud"
CLIENT_SECRET = "provider-test-secret"
LOA3 = "http://id.elegnamnden.se/loa/1.0/loa3"
LOA2 = "http://id.elegnamnden.se/loa/1.0/loa2"


@dataclass
class Provider:
    url: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "k1"}))
    # Another key, with the same kid: a token signed with it has a bad signature.
    foreign_key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "k1"}))
    claims: dict = field(default_factory=dict)
    faults: dict = field(default_factory=dict)
    codes: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    ended_sessions: list = field(default_factory=list)

    def sign_in_as(self, claims: dict) -> None:
        self.claims = {"sub": claims.get("employeeHsaId", "subject"), **claims}
        self.faults = {}

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "end_session_endpoint": f"{self.url}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def authorize(self, query: dict) -> str:
        """Where the browser goes back to: the callback, with a code and the state."""
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": query.get("nonce"), "claims": dict(self.claims)}
        state = "not-the-state-sent" if "state" in self.faults else query["state"]
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': state})}"

    def token(self, form: dict) -> tuple[int, dict]:
        grant = self.codes.pop(form.get("code"), None)
        if grant is None or form.get("client_secret") != CLIENT_SECRET:
            return 400, {"error": "invalid_grant"}
        now = int(time.time())
        claims = grant["claims"]
        id_claims = {
            "iss": self.faults.get("iss", self.url),
            "sub": claims["sub"],
            "aud": self.faults.get("aud", form.get("client_id")),
            "iat": now - 3600 if "exp" in self.faults else now + self.faults.get("skew", 0),
            "exp": now - 600 if "exp" in self.faults else now + 300,
            "nonce": grant["nonce"],
            **{name: value for name, value in claims.items() if name in ("acr", "amr")},
        }
        signer = self.foreign_key if "foreign_key" in self.faults else self.key
        id_token = jwt.encode({"alg": "RS256", "kid": "k1"}, id_claims, signer)
        access_token = secrets.token_urlsafe(16)
        self.tokens[access_token] = claims
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": id_token,
        }


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlparse(self.path)
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                return self._json(200, provider.discovery())
            if url.path == "/jwks":
                return self._json(200, {"keys": [provider.key.as_dict(private=False)]})
            if url.path == "/authorize":
                self.send_response(302)
                self.send_header("Location", provider.authorize(query))
                self.end_headers()
                return None
            if url.path == "/userinfo":
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if token not in provider.tokens:
                    return self._json(401, {"error": "invalid_token"})
                return self._json(200, provider.tokens[token])
            if url.path == "/logout":
                provider.ended_sessions.append(query)
                return self._json(200, {"signed_out": True})
            return self._json(404, {"error": "not_found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if urlparse(self.path).path == "/token":
                return self._json(*provider.token(form))
            return self._json(404, {"error": "not_found"})

    return Handler


def start() -> tuple[Provider, ThreadingHTTPServer]:
    provider = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.url = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return provider, server


def settings_for(provider: Provider, **more) -> dict:
    """The settings that switch SITHS sign-in on against ``provider``."""
    return {
        "OIDC_ISSUER": provider.url,
        "OIDC_ENABLED": True,
        "OIDC_RP_CLIENT_ID": CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": CLIENT_SECRET,
        "AUTHENTICATION_BACKENDS": [
            "axes.backends.AxesStandaloneBackend",
            "halland_utbud.signin.LocalAccountBackend",
            "halland_utbud.oidc.SithsBackend",
        ],
        **more,
    }
