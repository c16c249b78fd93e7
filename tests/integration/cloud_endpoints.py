"""Loopback stand-ins for the cloud credential endpoints rctl calls (no network in tests):
STS AssumeRole, the ECS container credentials endpoint, the EC2 instance metadata
service (IMDSv2), and Azure's managed identity endpoints (IDENTITY_ENDPOINT and IMDS). Each answers as AWS documents it and records what it was asked. And
botocore (Debian python3-botocore) as the signing oracle: the ElastiCache IAM token and the
STS request signature computed for the same frozen clock and credentials."""

import base64
import datetime
import http.server
import json
import ssl
import threading
import time
from unittest import mock
from urllib.parse import parse_qs, urlencode

import botocore.auth
import botocore.session
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.model import ServiceId
from botocore.signers import RequestSigner

FROZEN = "20240102T030405Z"  # RCTL_TEST_NOW for rctl, the same instant for botocore
EXPIRATION = "2099-01-01T00:00:00Z"
# The signer's event emitter is held weakly: the session that owns it must live on.
_BOTOCORE_SESSION = botocore.session.get_session()


def _frozen(when):
    fixed = datetime.datetime.strptime(when, "%Y%m%dT%H%M%SZ")

    class Frozen(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return fixed
    return mock.patch.object(botocore.auth.datetime, "datetime", Frozen)


def botocore_token(cache, user, region, key_id, secret, token=None, serverless=False, when=FROZEN):
    """The ElastiCache IAM token as botocore presigns it (the scheme left off)."""
    signer = RequestSigner(ServiceId("elasticache"), region, "elasticache", "v4", Credentials(key_id, secret, token),
                           _BOTOCORE_SESSION.get_component("event_emitter"))
    query = {"Action": "connect", "User": user}
    if serverless:
        query["ResourceType"] = "ServerlessCache"
    request = {"method": "GET", "url": f"http://{cache}/?{urlencode(query)}", "body": {}, "headers": {},
               "context": {}}
    with _frozen(when):
        url = signer.generate_presigned_url(request, operation_name="connect", expires_in=900, region_name=region)
    return url.removeprefix("http://")


def botocore_authorization(method, url, body, headers, region, service, key_id, secret, token=None, when=FROZEN):
    """The Authorization header botocore's SigV4Auth computes for the request."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers))
    with _frozen(when):
        botocore.auth.SigV4Auth(Credentials(key_id, secret, token), service, region).add_auth(request)
    return request.headers["Authorization"]


def allow_tokens(r, user, *tokens):
    """Makes `user` an ACL user of the server behind redis-py client `r` whose only
    passwords are `tokens`, with every right: AUTH with any other token is refused."""
    r.acl_setuser(user, enabled=True, reset_passwords=True, passwords=[f"+{t}" for t in tokens], keys=["~*"],
                  commands=["+@all"])


def fake_jwt(oid, lifetime_s=3600, serial=0):
    """An Entra-shaped access token: header.payload.signature, the payload with oid and exp."""
    def part(doc):
        return base64.urlsafe_b64encode(json.dumps(doc).encode()).decode().rstrip("=")
    return ".".join([part({"alg": "RS256", "typ": "JWT"}),
                     part({"aud": "https://redis.azure.com", "oid": oid, "exp": int(time.time()) + lifetime_s,
                           "serial": serial}),
                     "c2lnbmF0dXJl"])


def credentials_json(key_id, secret, token, code=True):
    doc = {"AccessKeyId": key_id, "SecretAccessKey": secret, "Token": token, "Expiration": EXPIRATION}
    if code:
        doc["Code"] = "Success"
    return json.dumps(doc)


class CloudEndpoints:
    """One loopback HTTP server for all three services; `url` is its base. Credentials it
    hands out are set per service (`imds`, `ecs`, `sts`: (key id, secret, token) or None)."""

    IMDS_SESSION = "imds-session-token-1"
    IMDS_REGION = "eu-west-3"
    ROLE = "test-role"

    def __init__(self, certificates=None):
        """With `certificates` (harness.Certificates) the server speaks https only."""
        self.imds = None
        self.ecs = None
        self.ecs_authorization = None  # the Authorization header ECS requires, if any
        self.sts = None
        self.sts_region = "us-east-1"
        self.sts_source = None  # (key id, secret, token) that must have signed AssumeRole
        self.requests = []  # (method, path, headers dict, body)
        # Azure: tokens handed out in turn (the last one again when they run out), the
        # header IDENTITY_ENDPOINT requires, and a hook run before each token is served.
        self.entra_tokens = []
        self.entra_served = 0
        self.identity_header = "identity-header-secret"
        self.before_entra_token = None
        self.imds_refuses = False
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def reply(self, status, body, content_type="text/plain"):
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                owner.requests.append((self.command, self.path, dict(self.headers), body))
                return body

            def do_PUT(self):
                self.record()
                if self.path == "/latest/api/token" and owner.imds and \
                        self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
                    return self.reply(200, owner.IMDS_SESSION)
                self.reply(403 if owner.imds else 404, "")

            def do_GET(self):
                self.record()
                if self.path == "/latest/meta-data/placement/region":
                    if not owner.imds or self.headers.get("X-aws-ec2-metadata-token") != owner.IMDS_SESSION:
                        return self.reply(401, "")
                    return self.reply(200, owner.IMDS_REGION)
                if self.path.startswith("/latest/meta-data/iam/security-credentials/"):
                    if not owner.imds or self.headers.get("X-aws-ec2-metadata-token") != owner.IMDS_SESSION:
                        return self.reply(401, "")
                    role = self.path.rsplit("/", 1)[1]
                    if role == "":
                        return self.reply(200, owner.ROLE + "\n")
                    if role != owner.ROLE:
                        return self.reply(404, "")
                    return self.reply(200, credentials_json(*owner.imds), "application/json")
                if self.path.startswith(("/msi/token?", "/metadata/identity/oauth2/token?")):
                    query = {k: v[0] for k, v in parse_qs(self.path.split("?", 1)[1]).items()}
                    if query.get("resource") != "https://redis.azure.com":
                        return self.reply(400, '{"error": "invalid_resource"}')
                    if self.path.startswith("/msi/") and \
                            self.headers.get("X-IDENTITY-HEADER") != owner.identity_header:
                        return self.reply(401, '{"error": "unauthorized"}')
                    if self.path.startswith("/metadata/") and self.headers.get("Metadata") != "true":
                        return self.reply(400, '{"error": "no Metadata header"}')
                    if self.path.startswith("/metadata/") and owner.imds_refuses:  # not Azure's IMDS
                        return self.reply(403, "Forbidden")
                    if not owner.entra_tokens:  # as IMDS on a VM without an identity
                        return self.reply(400, '{"error": "invalid_request", "error_description": "Identity not found"}')
                    token = owner.entra_tokens[min(owner.entra_served, len(owner.entra_tokens) - 1)]
                    if owner.before_entra_token:
                        owner.before_entra_token(owner.entra_served, token)
                    owner.entra_served += 1
                    return self.reply(200, json.dumps({"access_token": token, "expires_on": "0",
                                                       "resource": "https://redis.azure.com",
                                                       "token_type": "Bearer"}), "application/json")
                if self.path == "/ecs/credentials" and owner.ecs:
                    if owner.ecs_authorization and self.headers.get("Authorization") != owner.ecs_authorization:
                        return self.reply(401, '{"message": "unauthorized"}')
                    return self.reply(200, credentials_json(*owner.ecs, code=False), "application/json")
                self.reply(404, "")

            def do_POST(self):
                body = self.record()
                form = {k: v[0] for k, v in parse_qs(body).items()}
                if form.get("Action") != "AssumeRole" or not owner.sts:
                    return self.reply(400, "<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>")
                # The signature must be what botocore computes for the same request.
                key_id, secret, token = owner.sts_source
                headers = {"Content-Type": self.headers["Content-Type"]}
                expected = botocore_authorization("POST", f"http://{self.headers['Host']}{self.path}", body, headers,
                                                  owner.sts_region, "sts", key_id, secret, token)
                if self.headers.get("Authorization") != expected:
                    return self.reply(403, "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>"
                                           "The request signature we calculated does not match</Message>"
                                           "</Error></ErrorResponse>")
                k, s, t = owner.sts
                self.reply(200, f"""<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser><Arn>{form.get('RoleArn')}/x</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser>
    <Credentials>
      <AccessKeyId>{k}</AccessKeyId>
      <SecretAccessKey>{s}</SecretAccessKey>
      <SessionToken>{t.replace('&', '&amp;')}</SessionToken>
      <Expiration>{EXPIRATION}</Expiration>
    </Credentials>
  </AssumeRoleResult>
</AssumeRoleResponse>""", "text/xml")

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        scheme = "http"
        if certificates:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(certificates.server, certificates.server_key)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)
