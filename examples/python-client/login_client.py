"""A small registry login client (standard library only), written to be graded by loginspec.

It follows the Docker Registry v2 token flow: ping ``/v2/``, read the ``WWW-Authenticate``
challenge, request a token from the realm with HTTP Basic credentials, retry ``/v2/`` with
``Authorization: Bearer``, and store the credentials in a Docker-style ``config.json`` (mode
0600). For a ``Basic`` challenge it retries ``/v2/`` with Basic credentials.

It connects to loopback addresses only (127.0.0.0/8, ::1, localhost) and never follows
redirects, because it exists to be tested against loginspec's mock servers.
"""

from __future__ import annotations

import base64
import dataclasses
import http.client
import ipaddress
import json
import os
import ssl
import urllib.parse
from pathlib import Path

TIMEOUT_SECONDS = 10
MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024


class LoginError(Exception):
    """Failure of one login step; the message names the step and the cause."""


@dataclasses.dataclass
class Challenge:
    """One challenge of a WWW-Authenticate field: the scheme and its parameters (names lowercased)."""

    scheme: str
    params: dict[str, str]


@dataclasses.dataclass
class LoginResult:
    """Outcome of one login: success, a one-line message and the credential file written."""

    success: bool
    message: str
    config_file: Path | None = None


@dataclasses.dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


# ---- WWW-Authenticate (RFC 9110 §11.6.1) ----

_TOKEN_CHARS = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


class _ChallengeReader:
    """Cursor over one WWW-Authenticate field value."""

    def __init__(self, text: str):
        self.text = text
        self.at = 0

    def done(self) -> bool:
        return self.at >= len(self.text)

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def skip_spaces(self) -> None:
        while self.peek() in (" ", "\t") and not self.done():
            self.at += 1

    def skip_separators(self) -> None:
        while self.peek() in (" ", "\t", ",") and not self.done():
            self.at += 1

    def token(self) -> str:
        start = self.at
        while not self.done() and self.text[self.at] in _TOKEN_CHARS:
            self.at += 1
        return self.text[start : self.at]

    def quoted_string(self) -> str:
        if self.peek() != '"':
            raise LoginError(f"expected a quoted string at offset {self.at} of {self.text!r}")
        self.at += 1
        value = []
        while not self.done():
            char = self.text[self.at]
            self.at += 1
            if char == "\\" and not self.done():
                value.append(self.text[self.at])
                self.at += 1
            elif char == '"':
                return "".join(value)
            else:
                value.append(char)
        raise LoginError(f"unterminated quoted string in {self.text!r}")


def parse_challenges(field_values: list[str]) -> list[Challenge]:
    """Parse WWW-Authenticate field values into challenges, in order.

    A field may contain several challenges separated by commas. A token followed by "=" is
    a parameter of the current challenge, and any other token starts the next challenge.
    Raises LoginError on a value that does not follow the grammar.
    """
    challenges: list[Challenge] = []
    for value in field_values:
        reader = _ChallengeReader(value)
        current: Challenge | None = None
        while True:
            reader.skip_separators()
            if reader.done():
                break
            start = reader.at
            name = reader.token()
            if not name:
                raise LoginError(f"unexpected character {reader.peek()!r} at offset {reader.at} of {value!r}")
            reader.skip_spaces()
            if current is not None and reader.peek() == "=":
                reader.at += 1
                reader.skip_spaces()
                param = reader.quoted_string() if reader.peek() == '"' else reader.token()
                current.params[name.lower()] = param
                continue
            reader.at = start + len(name)
            current = Challenge(scheme=name, params={})
            challenges.append(current)
    return challenges


# ---- HTTP ----


def _require_loopback(url: urllib.parse.SplitResult) -> None:
    host = url.hostname or ""
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise LoginError(f"refusing to connect to {host!r}: this example client talks to loopback addresses only")


class _Connector:
    """Opens one HTTP(S) connection per request, trusting ca_file for HTTPS."""

    def __init__(self, ca_file: str | None):
        self.context = ssl.create_default_context(cafile=ca_file) if ca_file else ssl.create_default_context()

    def get(self, url: str, headers: dict[str, str]) -> Reply:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise LoginError(f"unsupported URL scheme in {url!r}")
        _require_loopback(parts)
        if parts.scheme == "https":
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=TIMEOUT_SECONDS, context=self.context
            )
        else:
            connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=TIMEOUT_SECONDS)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        try:
            connection.request("GET", target, headers=headers)
            response = connection.getresponse()
            body = response.read(MAX_TOKEN_RESPONSE_BYTES)
            return Reply(response.status, response.headers, body)
        except (OSError, http.client.HTTPException) as error:
            raise LoginError(f"GET {url} failed: {error}") from error
        finally:
            connection.close()


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


# ---- Login ----


def _request_token(
    connector: _Connector, registry: urllib.parse.SplitResult, challenge: Challenge, username: str, password: str,
    ignore_service: bool,
) -> str:
    realm = challenge.params.get("realm", "")
    realm_parts = urllib.parse.urlsplit(realm)
    if realm_parts.scheme not in ("http", "https") or not realm_parts.hostname:
        raise LoginError(f"the Bearer challenge has no usable realm URL: {realm!r}")
    if registry.scheme == "https" and realm_parts.scheme != "https":
        raise LoginError(f"refusing to send credentials to the plain-HTTP realm {realm} of an HTTPS registry")

    query = []
    if "service" in challenge.params and not ignore_service:
        query.append(("service", challenge.params["service"]))
    if "scope" in challenge.params:
        query.extend(("scope", scope) for scope in challenge.params["scope"].split(" ") if scope)
    query.append(("account", username))
    separator = "&" if realm_parts.query else "?"
    url = realm + separator + urllib.parse.urlencode(query)

    reply = connector.get(url, {"Authorization": _basic(username, password), "Accept": "application/json"})
    if reply.status in (401, 403):
        raise LoginError(f"the token server rejected the credentials (HTTP {reply.status})")
    if reply.status != 200:
        raise LoginError(f"the token server returned HTTP {reply.status}")
    try:
        document = json.loads(reply.body)
    except ValueError as error:
        raise LoginError(f"the token response is not valid JSON: {error}") from error
    token = ""
    if isinstance(document, dict):
        token = document.get("token") or document.get("access_token") or ""
    if not isinstance(token, str) or not token:
        raise LoginError("the token response has neither a token nor an access_token")
    return token


def _store_credentials(config_dir: Path, registry_host: str, username: str, password: str) -> Path:
    """Write config.json with an "auths" entry for the registry, readable by its owner only."""
    config_dir.mkdir(parents=True, exist_ok=True)
    config_file = config_dir / "config.json"
    document: dict = {}
    if config_file.exists():
        document = json.loads(config_file.read_text())
    auth = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    document.setdefault("auths", {})[registry_host] = {"auth": auth}
    descriptor = os.open(config_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w") as out:
        json.dump(document, out, indent=2)
        out.write("\n")
    return config_file


def login(
    registry_url: str,
    username: str,
    password: str,
    config_dir: str | Path,
    ca_file: str | None = None,
    ignore_service: bool = False,
) -> LoginResult:
    """Log in to the registry at registry_url and store the credentials under config_dir.

    ignore_service=True leaves the service parameter out of the token request, a known
    client bug kept here so that loginspec has something to catch.
    Never raises for protocol or network failures; they become an unsuccessful LoginResult.
    """
    registry = urllib.parse.urlsplit(registry_url.rstrip("/"))
    ping_url = f"{registry.scheme}://{registry.netloc}/v2/"
    connector = _Connector(ca_file)
    try:
        ping = connector.get(ping_url, {})
        if ping.status == 200:
            return LoginResult(False, f"{ping_url} returned 200 without credentials, so they were not verified")
        if ping.status != 401:
            return LoginResult(False, f"{ping_url} returned HTTP {ping.status}, expected 401 with a challenge")

        challenges = parse_challenges(ping.headers.get_all("WWW-Authenticate") or [])
        by_scheme = {challenge.scheme.lower(): challenge for challenge in reversed(challenges)}
        if "bearer" in by_scheme:
            token = _request_token(connector, registry, by_scheme["bearer"], username, password, ignore_service)
            authorization = "Bearer " + token
        elif "basic" in by_scheme:
            authorization = _basic(username, password)
        else:
            schemes = ", ".join(challenge.scheme for challenge in challenges) or "none"
            return LoginResult(False, f"no Bearer or Basic challenge in the 401 from {ping_url} (schemes: {schemes})")

        retry = connector.get(ping_url, {"Authorization": authorization})
        if retry.status != 200:
            return LoginResult(False, f"{ping_url} rejected the credentials (HTTP {retry.status})")
        config_file = _store_credentials(Path(config_dir), registry.netloc, username, password)
        return LoginResult(True, "Login Succeeded", config_file)
    except LoginError as error:
        return LoginResult(False, f"Error: {error}")
