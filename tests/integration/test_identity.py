"""Identity: a password from a helper command (--password-command, password-command = in a
profile), and ElastiCache IAM tokens (--iam, rctl auth token) from every source of the AWS
credential chain, against real servers with ACL users whose password the test sets to the
token botocore computes for the same frozen clock, so that AUTH really happens. Secrets (the
helper's output, secret keys, session tokens, the IAM token) never appear in output or
errors."""

import json
import os
import tempfile
import unittest

import redis

from cloud_endpoints import FROZEN, CloudEndpoints, allow_tokens, botocore_token, fake_jwt
from harness import Certificates, RctlTestCase, RedisServer, rctl, rctl_json

SECRET = "Helper-s3cr3t-9041"


class PasswordCommand(RctlTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(password=SECRET, acl=[f"app on >{SECRET} ~* +@all"])
        cls.tmp = tempfile.TemporaryDirectory()
        # A helper as a script, as a secret store's CLI would be: prints the password.
        cls.helper = os.path.join(cls.tmp.name, "helper")
        with open(cls.helper, "w") as f:
            f.write(f"#!/bin/sh\nprintf '%s\\n' '{SECRET}'\n")
        os.chmod(cls.helper, 0o700)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        cls.tmp.cleanup()

    def port(self):
        return ["-p", str(self.server.port)]

    def test_helper_output_is_the_password(self):
        out, data = rctl_json("health", "-v", *self.port(), "--user", "app", "--password-command", self.helper)
        self.assertExit(out, 0, out.stderr)
        self.assertTrue(data["nodes"][0]["authenticated"])
        self.assertIn("password from --password-command", out.stderr)
        self.assertNotIn("warning", out.stderr)  # nothing secret on the command line
        self.assertNoSecret(out, SECRET)

    def test_shell_command_with_arguments(self):
        out, _ = rctl_json("cache", "set", "k", "v", *self.port(), "--password-command", f"cat {self.helper} | sh")
        self.assertExit(out, 0, out.stderr)

    def test_failing_helper_exits_4_without_showing_its_output(self):
        for command, message in ((f"echo {SECRET}; exit 1", "--password-command exited with status 1"),
                                 ("true", "--password-command printed nothing")):
            out, data = rctl_json("health", *self.port(), "--password-command", command)
            self.assertExit(out, 4)
            self.assertEqual(data["error"]["kind"], "auth")
            self.assertEqual(data["error"]["message"], message)
            self.assertNoSecret(out, SECRET)

    def test_deadline(self):
        out, data = rctl_json("health", *self.port(), "--password-command", "exec sleep 30",
                              env={"RCTL_PASSWORD_COMMAND_TIMEOUT": "300ms"})
        self.assertExit(out, 4)
        self.assertEqual(data["error"]["message"], "--password-command did not finish within 300ms")

    def test_wrong_password_from_helper_is_refused(self):
        out, data = rctl_json("health", *self.port(), "--password-command", "echo not-the-password")
        self.assertExit(out, 4)
        self.assertIn("WRONGPASS", data["error"]["message"])

    def test_only_one_password_source(self):
        out, data = rctl_json("health", *self.port(), "--password-command", self.helper, "--password-file", "-")
        self.assertExit(out, 2)
        self.assertIn("use only one of", data["error"]["message"])

    def test_profile_password_command(self):
        config = os.path.join(self.tmp.name, "config")
        with open(config, "w") as f:
            f.write(f"[prod]\nurl = redis://app@127.0.0.1:{self.server.port}\npassword-command = {self.helper}\n")
        os.chmod(config, 0o600)
        out, _ = rctl_json("health", "-v", "--profile", "prod", env={"RCTL_CONFIG": config})
        self.assertExit(out, 0, out.stderr)
        self.assertIn("password from profile 'prod' password-command", out.stderr)
        self.assertNoSecret(out, SECRET)
        # A password on the command line keeps the profile's helper from running at all.
        out, _ = rctl_json("health", "--profile", "prod", "--password-command", "echo x",
                           env={"RCTL_CONFIG": config})
        self.assertExit(out, 4)


AK, SK = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION = "FQoGZXIvYXdzE+/tok=&x"
ROLE_AK, ROLE_SK, ROLE_TOKEN = "ASIAROLEEXAMPLE", "role/secret+key=Example0001", "role-session-token/+="
ECS_AK, ECS_SK, ECS_TOKEN = "ASIAECSEXAMPLE", "ecs/secret+key=Example0002", "ecs-session-token"
IMDS_AK, IMDS_SK, IMDS_TOKEN = "ASIAIMDSEXAMPLE", "imds/secret+key=Example0003", "imds-session-token"
SECRETS = [SK, SESSION, ROLE_SK, ROLE_TOKEN, ECS_SK, ECS_TOKEN, IMDS_SK, IMDS_TOKEN]


class IamToken(RctlTestCase):
    """rctl auth token --iam: the token byte for byte as botocore makes it, from each source."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.endpoints = CloudEndpoints()

    @classmethod
    def tearDownClass(cls):
        cls.endpoints.close()
        cls.tmp.cleanup()

    def setUp(self):
        e = self.endpoints
        e.imds = e.ecs = e.sts = e.sts_source = e.ecs_authorization = None
        e.requests.clear()

    def env(self, **extra):
        """No AWS settings of the machine running the tests: an empty HOME, no metadata service."""
        env = {"HOME": self.tmp.name, "RCTL_TEST_NOW": FROZEN, "AWS_EC2_METADATA_DISABLED": "true"}
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                     "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE",
                     "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
                     "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
                     "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS",
                     "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_CA_BUNDLE"):
            env.setdefault(name, "")
        env.update(extra)
        return env

    def write(self, name, text):
        path = os.path.join(self.tmp.name, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o600)
        return path

    def token(self, *args, env):
        out = rctl("auth", "token", "--iam", "-v", *args, env=env)
        self.assertExit(out, 0, out.stderr)
        for secret in SECRETS:
            self.assertNotIn(secret, out.stderr)
        return out

    def explicit(self):
        return ["--user", "my-iam-user", "--cache-name", "my-cache", "--region", "us-east-1",
                "-u", "redis://127.0.0.1:6379"]

    def test_environment_credentials_match_botocore(self):
        out = self.token(*self.explicit(), env=self.env(AWS_ACCESS_KEY_ID=AK, AWS_SECRET_ACCESS_KEY=SK))
        self.assertEqual(out.stdout, botocore_token("my-cache", "my-iam-user", "us-east-1", AK, SK) + "\n")
        self.assertIn("AWS credentials from environment", out.stderr)
        out = self.token(*self.explicit(), "--serverless",
                         env=self.env(AWS_ACCESS_KEY_ID=AK, AWS_SECRET_ACCESS_KEY=SK, AWS_SESSION_TOKEN=SESSION))
        self.assertEqual(out.stdout, botocore_token("my-cache", "my-iam-user", "us-east-1", AK, SK, SESSION,
                                                    serverless=True) + "\n")

    def test_json_document(self):
        out, data = rctl_json("auth", "token", "--iam", *self.explicit(),
                              env=self.env(AWS_ACCESS_KEY_ID=AK, AWS_SECRET_ACCESS_KEY=SK))
        self.assertExit(out, 0, out.stderr)
        self.assertEqual(data, {"kind": "elasticache_iam", "user": "my-iam-user",
                                "token": botocore_token("my-cache", "my-iam-user", "us-east-1", AK, SK),
                                "issued_at": "2024-01-02T03:04:05Z", "expires_at": "2024-01-02T03:19:05Z"})

    def test_cache_name_and_region_from_the_endpoint_host(self):
        env = self.env(AWS_ACCESS_KEY_ID=AK, AWS_SECRET_ACCESS_KEY=SK, AWS_REGION="eu-west-1")
        for url, cache, region, serverless in (
                ("rediss://master.My-RG.abc123.use1.cache.amazonaws.com:6379", "my-rg", "us-east-1", False),
                ("rediss://clustercfg.rg2.abc123.apse2.cache.amazonaws.com", "rg2", "ap-southeast-2", False),
                ("rediss://sless-x1y2z3.serverless.euc1.cache.amazonaws.com", "sless", "eu-central-1", True)):
            out = self.token("--user", "u1", "-u", url, env=env)
            self.assertEqual(out.stdout, botocore_token(cache, "u1", region, AK, SK, serverless=serverless) + "\n")
            self.assertIn(f"cache name '{cache}' from the endpoint host", out.stderr)
        # A host of no known form: the cache name must be given; the region falls back to AWS_REGION.
        out, data = rctl_json("auth", "token", "--iam", "--user", "u1", "-u", "rediss://redis.example.com", env=env)
        self.assertExit(out, 2)
        self.assertIn("--cache-name", data["error"]["hint"])
        out = self.token("--user", "u1", "--cache-name", "c", "-u", "rediss://redis.example.com", env=env)
        self.assertEqual(out.stdout, botocore_token("c", "u1", "eu-west-1", AK, SK) + "\n")

    def test_shared_credentials_file_profile(self):
        creds = self.write("credentials", f"[default]\naws_access_key_id = WRONG\naws_secret_access_key = x\n"
                                          f"[dev]\naws_access_key_id = {AK}\naws_secret_access_key = {SK}\n")
        out = self.token(*self.explicit(), env=self.env(AWS_PROFILE="dev", AWS_SHARED_CREDENTIALS_FILE=creds))
        self.assertEqual(out.stdout, botocore_token("my-cache", "my-iam-user", "us-east-1", AK, SK) + "\n")
        self.assertIn("profile 'dev' in", out.stderr)
        out, data = rctl_json("auth", "token", "--iam", *self.explicit(),
                              env=self.env(AWS_PROFILE="nope", AWS_SHARED_CREDENTIALS_FILE=creds))
        self.assertExit(out, 2)
        self.assertIn("AWS profile 'nope'", data["error"]["message"])

    def test_credential_process(self):
        helper = self.write("helper.sh", f"#!/bin/sh\nprintf '{{\"Version\": 1, \"AccessKeyId\": \"{AK}\", "
                                         f"\"SecretAccessKey\": \"{SK}\", \"SessionToken\": \"{SESSION}\"}}\n'\n")
        os.chmod(helper, 0o700)
        config = self.write("config", f"[profile proc]\ncredential_process = {helper}\nregion = us-east-1\n")
        out = self.token(*self.explicit(), env=self.env(AWS_PROFILE="proc", AWS_CONFIG_FILE=config))
        self.assertEqual(out.stdout, botocore_token("my-cache", "my-iam-user", "us-east-1", AK, SK, SESSION) + "\n")
        self.assertIn("profile 'proc' credential_process", out.stderr)
        failing = self.write("config2", f"[profile proc]\ncredential_process = sh -c 'echo {SK}; exit 2'\n")
        out, data = rctl_json("auth", "token", "--iam", *self.explicit(),
                              env=self.env(AWS_PROFILE="proc", AWS_CONFIG_FILE=failing))
        self.assertExit(out, 4)
        self.assertEqual(data["error"]["message"], "profile 'proc' credential_process exited with status 2")
        self.assertNoSecret(out, SK)

    def test_assume_role_through_sts(self):
        e = self.endpoints
        e.sts = (ROLE_AK, ROLE_SK, ROLE_TOKEN)
        e.sts_source = (AK, SK, None)
        e.sts_region = "us-east-1"
        creds = self.write("credentials", f"[base]\naws_access_key_id = {AK}\naws_secret_access_key = {SK}\n")
        config = self.write("config", "[profile ops]\nrole_arn = arn:aws:iam::123456789012:role/cache\n"
                                      "source_profile = base\nrole_session_name = rctl-test\n")
        env = self.env(AWS_PROFILE="ops", AWS_CONFIG_FILE=config, AWS_SHARED_CREDENTIALS_FILE=creds,
                       AWS_ENDPOINT_URL_STS=e.url)
        out = self.token(*self.explicit(), env=env)
        self.assertEqual(out.stdout, botocore_token("my-cache", "my-iam-user", "us-east-1", ROLE_AK, ROLE_SK,
                                                    ROLE_TOKEN) + "\n")
        self.assertIn("role_arn through STS AssumeRole", out.stderr)
        (method, path, headers, body), = e.requests
        self.assertEqual((method, path), ("POST", "/"))
        self.assertIn("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fcache", body)
        self.assertIn("RoleSessionName=rctl-test", body)
        # A signature STS does not accept: the refusal, exit 4, with STS's code.
        e.sts_source = (AK, "another-secret", None)
        out, data = rctl_json("auth", "token", "--iam", *self.explicit(), env=env)
        self.assertExit(out, 4)
        self.assertIn("SignatureDoesNotMatch", data["error"]["message"])

    def test_assume_role_over_https_verifies_the_certificate(self):
        certificates = Certificates.get()
        sts = CloudEndpoints(certificates)
        try:
            sts.sts = (ROLE_AK, ROLE_SK, ROLE_TOKEN)
            sts.sts_source = (AK, SK, None)
            creds = self.write("credentials", f"[base]\naws_access_key_id = {AK}\naws_secret_access_key = {SK}\n")
            config = self.write("config", "[profile ops]\nrole_arn = arn:aws:iam::123456789012:role/cache\n"
                                          "source_profile = base\n")
            env = self.env(AWS_PROFILE="ops", AWS_CONFIG_FILE=config, AWS_SHARED_CREDENTIALS_FILE=creds,
                           AWS_ENDPOINT_URL_STS=sts.url)
            # A certificate from a CA the system does not trust: refused, nothing signed is sent.
            out, data = rctl_json("auth", "token", "--iam", *self.explicit(), env=env)
            self.assertExit(out, 3)
            self.assertEqual(data["error"]["kind"], "tls")
            self.assertEqual(sts.requests, [])
            out = self.token(*self.explicit(), env={**env, "AWS_CA_BUNDLE": certificates.ca})
            self.assertEqual(out.stdout, botocore_token("my-cache", "my-iam-user", "us-east-1", ROLE_AK, ROLE_SK,
                                                        ROLE_TOKEN) + "\n")
        finally:
            sts.close()

    def test_ecs_container_credentials(self):
        e = self.endpoints
        e.ecs = (ECS_AK, ECS_SK, ECS_TOKEN)
        e.ecs_authorization = "Bearer ecs-auth-token"
        env = self.env(AWS_CONTAINER_CREDENTIALS_FULL_URI=e.url + "/ecs/credentials",
                       AWS_CONTAINER_AUTHORIZATION_TOKEN="Bearer ecs-auth-token")
        out = self.token(*self.explicit(), env=env)
        self.assertEqual(out.stdout, botocore_token("my-cache", "my-iam-user", "us-east-1", ECS_AK, ECS_SK,
                                                    ECS_TOKEN) + "\n")
        self.assertIn("ECS container credentials", out.stderr)
        self.assertNotIn("ecs-auth-token", out.stderr)
        out, _ = rctl_json("auth", "token", "--iam", *self.explicit(),
                           env={**env, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "Bearer wrong"})
        self.assertExit(out, 4)
        # Plain http to anything but loopback or the container agent is refused.
        out, data = rctl_json("auth", "token", "--iam", *self.explicit(),
                              env={**env, "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://192.0.2.1/creds"})
        self.assertExit(out, 2)
        self.assertIn("https or a loopback address", data["error"]["message"])

    def test_ec2_instance_metadata_v2(self):
        e = self.endpoints
        e.imds = (IMDS_AK, IMDS_SK, IMDS_TOKEN)
        env = self.env(AWS_EC2_METADATA_DISABLED="", AWS_EC2_METADATA_SERVICE_ENDPOINT=e.url)
        out = self.token(*self.explicit(), env=env)
        self.assertEqual(out.stdout, botocore_token("my-cache", "my-iam-user", "us-east-1", IMDS_AK, IMDS_SK,
                                                    IMDS_TOKEN) + "\n")
        self.assertIn("EC2 instance metadata (role test-role)", out.stderr)
        self.assertEqual([(m, p) for m, p, _, _ in e.requests],
                         [("PUT", "/latest/api/token"), ("GET", "/latest/meta-data/iam/security-credentials/"),
                          ("GET", "/latest/meta-data/iam/security-credentials/test-role")])
        self.assertTrue(all(h.get("X-aws-ec2-metadata-token") == CloudEndpoints.IMDS_SESSION
                            for _, _, h, _ in e.requests[1:]))

    def test_on_ec2_as_the_issue_writes_it(self):
        # rctl health -u rediss://my-cache.xxxxxx.cache.amazonaws.com:6379 --iam --user app-user
        # on an instance with a role: the cache name from the host, the region and the
        # credentials from the instance metadata.
        e = self.endpoints
        e.imds = (IMDS_AK, IMDS_SK, IMDS_TOKEN)
        env = self.env(AWS_EC2_METADATA_DISABLED="", AWS_EC2_METADATA_SERVICE_ENDPOINT=e.url)
        out = self.token("-u", "rediss://my-cache.xxxxxx.cache.amazonaws.com:6379", "--user", "app-user", env=env)
        self.assertEqual(out.stdout, botocore_token("my-cache", "app-user", CloudEndpoints.IMDS_REGION, IMDS_AK,
                                                    IMDS_SK, IMDS_TOKEN) + "\n")
        self.assertIn("region eu-west-3 from the EC2 instance metadata", out.stderr)

    def test_no_credentials_anywhere(self):
        out, data = rctl_json("auth", "token", "--iam", *self.explicit(), env=self.env())
        self.assertExit(out, 4)
        self.assertEqual(data["error"]["message"], "no AWS credentials found")
        # Something that is not AWS's metadata service at its address (another cloud's, a
        # proxy) refuses the token request: still simply no credentials.
        out, data = rctl_json("auth", "token", "--iam", *self.explicit(),
                              env=self.env(AWS_EC2_METADATA_DISABLED="",
                                           AWS_EC2_METADATA_SERVICE_ENDPOINT=self.endpoints.url))
        self.assertExit(out, 4)
        self.assertEqual(data["error"]["message"], "no AWS credentials found")
        self.assertEqual([(m, p) for m, p, _, _ in self.endpoints.requests], [("PUT", "/latest/api/token")])

    def test_usage_errors(self):
        env = self.env(AWS_ACCESS_KEY_ID=AK, AWS_SECRET_ACCESS_KEY=SK)
        out, data = rctl_json("auth", "token", "--iam", "--cache-name", "c", "--region", "r", env=env)
        self.assertExit(out, 2)
        self.assertIn("--user", data["error"]["message"])
        out, data = rctl_json("auth", "token", "--iam", *self.explicit(), "--password-file", "/dev/null", env=env)
        self.assertExit(out, 2)
        self.assertIn("give no other password", data["error"]["message"])
        out, data = rctl_json("auth", "token", env=env)
        self.assertExit(out, 2)
        self.assertIn("auth token needs --iam", data["error"]["message"])


class IamAuth(RctlTestCase):
    """--iam against a real server: the ACL user's password is the token botocore computes."""

    @classmethod
    def setUpClass(cls):
        # The token first: a failing setUpClass gets no tearDownClass to stop the server.
        cls.token = botocore_token("my-cache", "app-user", "us-east-1", AK, SK, SESSION)
        cls.server = RedisServer(password="admin-pass-1")
        cls.r = redis.Redis(port=cls.server.port, password="admin-pass-1")
        allow_tokens(cls.r, "app-user", cls.token)
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        cls.tmp.cleanup()

    def env(self, **extra):
        return {"HOME": self.tmp.name, "RCTL_TEST_NOW": FROZEN, "AWS_EC2_METADATA_DISABLED": "true",
                "AWS_ACCESS_KEY_ID": AK, "AWS_SECRET_ACCESS_KEY": SK, "AWS_SESSION_TOKEN": SESSION,
                "AWS_PROFILE": "", "AWS_CONFIG_FILE": "", "AWS_SHARED_CREDENTIALS_FILE": "", **extra}

    def iam(self, *extra):
        return ["--iam", "--user", "app-user", "--cache-name", "My-Cache", "--region", "us-east-1",
                "-p", self.server.port, *extra]

    def test_health_authenticates_with_the_token(self):
        out, data = rctl_json("health", "-v", *self.iam(), env=self.env())
        self.assertExit(out, 0, out.stderr)
        self.assertTrue(data["nodes"][0]["authenticated"])
        self.assertIn("password: an ElastiCache IAM token for user 'app-user'", out.stderr)
        for secret in (SK, SESSION, self.token):
            self.assertNoSecret(out, secret)
        out, _ = rctl_json("cache", "set", "iam:k", "v", *self.iam(), env=self.env())
        self.assertExit(out, 0, out.stderr)
        self.assertEqual(self.r.get("iam:k"), b"v")

    def test_a_different_clock_makes_a_token_the_server_refuses(self):
        out, data = rctl_json("health", *self.iam(), env=self.env(RCTL_TEST_NOW="20240102T030406Z"))
        self.assertExit(out, 4)
        self.assertIn("WRONGPASS", data["error"]["message"])
        self.assertNoSecret(out, SK)

    def test_profile_auth_iam(self):
        config = os.path.join(self.tmp.name, "rctl.conf")
        with open(config, "w") as f:
            f.write(f"[aws]\nurl = redis://app-user@127.0.0.1:{self.server.port}\nauth = iam\n"
                    f"cache-name = my-cache\nregion = us-east-1\n")
        out, _ = rctl_json("health", "--profile", "aws", env=self.env(RCTL_CONFIG=config))
        self.assertExit(out, 0, out.stderr)


OID = "0b7e3f1a-1111-4c2d-9e8f-123456789abc"


class EntraAuth(RctlTestCase):
    """--entra against a real server whose ACL user is the token's oid and whose password is
    the token; the token from a loopback managed identity endpoint or a stub `az` on PATH."""

    @classmethod
    def setUpClass(cls):
        cls.server = RedisServer(password="admin-pass-2")
        cls.r = redis.Redis(port=cls.server.port, password="admin-pass-2")
        cls.endpoints = CloudEndpoints()
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.endpoints.close()
        cls.server.close()
        cls.tmp.cleanup()

    def setUp(self):
        e = self.endpoints
        e.entra_tokens, e.entra_served, e.before_entra_token = [], 0, None
        e.requests.clear()

    def allow(self, *tokens):
        allow_tokens(self.r, OID, *tokens)

    def env(self, **extra):
        # No az on the PATH (an empty directory) unless the test puts one there; IMDS is the
        # loopback server.
        return {"PATH": self.tmp.name, "IDENTITY_ENDPOINT": "", "IDENTITY_HEADER": "", "AZURE_CLIENT_ID": "",
                "AZURE_POD_IDENTITY_AUTHORITY_HOST": self.endpoints.url, **extra}

    def test_app_service_identity_endpoint(self):
        token = fake_jwt(OID)
        self.endpoints.entra_tokens = [token]
        self.allow(token)
        env = self.env(IDENTITY_ENDPOINT=self.endpoints.url + "/msi/token",
                       IDENTITY_HEADER=self.endpoints.identity_header)
        out, data = rctl_json("health", "-v", "--entra", "-p", self.server.port, env=env)
        self.assertExit(out, 0, out.stderr)
        self.assertTrue(data["nodes"][0]["authenticated"])
        self.assertIn(f"user {OID} from the token's oid claim", out.stderr)
        self.assertIn("Entra token from the managed identity endpoint (IDENTITY_ENDPOINT)", out.stderr)
        self.assertNoSecret(out, token)
        self.assertNoSecret(out, self.endpoints.identity_header)
        out = rctl("auth", "token", "--entra", env=env)
        self.assertExit(out, 0, out.stderr)
        self.assertEqual(out.stdout, token + "\n")

    def test_vm_instance_metadata_and_user_flag(self):
        token = fake_jwt("ignored-oid")
        self.endpoints.entra_tokens = [token]
        allow_tokens(self.r, "named-user", token)
        out, _ = rctl_json("health", "-v", "--entra", "--user", "named-user", "-p", self.server.port, env=self.env())
        self.assertExit(out, 0, out.stderr)
        self.assertIn("the Azure instance metadata service", out.stderr)
        (_, path, headers, _), = self.endpoints.requests
        self.assertTrue(path.startswith("/metadata/identity/oauth2/token?api-version=2018-02-01&resource="))
        self.assertEqual(headers.get("Metadata"), "true")

    def test_azure_cli_when_no_managed_identity(self):
        token = fake_jwt(OID)
        self.allow(token)
        bin_dir = os.path.join(self.tmp.name, "bin")
        os.makedirs(bin_dir, exist_ok=True)
        az = os.path.join(bin_dir, "az")
        reply = os.path.join(self.tmp.name, "az-reply.json")
        with open(reply, "w") as f:
            json.dump({"accessToken": token, "expiresOn": "2099-01-01 00:00:00.000000"}, f)
        with open(az, "w") as f:
            # Its arguments are checked: the resource must be Redis's.
            f.write("#!/bin/sh\n"
                    '[ "$*" = "account get-access-token --resource https://redis.azure.com --output json" ] || exit 9\n'
                    f"cat '{reply}'\n")
        os.chmod(az, 0o755)
        out, _ = rctl_json("health", "-v", "--entra", "-p", self.server.port,
                           env=self.env(PATH=f"{bin_dir}:/usr/bin:/bin"))
        self.assertExit(out, 0, out.stderr)
        self.assertIn("Entra token from the Azure CLI", out.stderr)
        self.assertNoSecret(out, token)
        # Something that is not Azure's IMDS refuses: az is still asked.
        self.endpoints.imds_refuses = True
        try:
            out, _ = rctl_json("health", "--entra", "-p", self.server.port,
                               env=self.env(PATH=f"{bin_dir}:/usr/bin:/bin"))
            self.assertExit(out, 0, out.stderr)
        finally:
            self.endpoints.imds_refuses = False
        # Neither a managed identity nor az: exit 4, saying what was tried.
        out, data = rctl_json("health", "--entra", "-p", self.server.port, env=self.env())
        self.assertExit(out, 4)
        self.assertEqual(data["error"]["message"], "no Microsoft Entra token found")

    def rotating_tokens(self, serial):
        """Two Entra tokens: the first lives 3 s; the second replaces it in the server's ACL the
        moment it is handed out, so an open connection must AUTH with it to go on."""
        first, second = fake_jwt(OID, lifetime_s=3, serial=serial), fake_jwt(OID, serial=serial + 1)
        self.endpoints.entra_tokens = [first, second]
        self.allow(first)
        self.endpoints.before_entra_token = lambda n, token: self.allow(token) if n == 1 else None
        return first, second

    def test_watch_refreshes_the_token_and_authenticates_again_on_the_open_connection(self):
        # The first token lives 3 s; the second one replaces it in the server's ACL the
        # moment it is handed out, so the open connection must AUTH with it to go on.
        first, second = self.rotating_tokens(serial=1)
        self.r.config_resetstat()
        before = self.r.info("stats")["total_connections_received"]
        env = self.env(IDENTITY_ENDPOINT=self.endpoints.url + "/msi/token",
                       IDENTITY_HEADER=self.endpoints.identity_header)
        out = rctl("stats", "-v", "--entra", "-p", self.server.port, "--watch", "1s", "--count", "6", env=env)
        self.assertExit(out, 0, out.stderr)
        self.assertEqual(self.endpoints.entra_served, 2)
        self.assertIn("refreshed the entra token", out.stderr)
        self.assertEqual(self.r.info("commandstats")["cmdstat_auth"]["calls"], 1)
        # One connection for the whole watch (plus this test's own client).
        self.assertEqual(self.r.info("stats")["total_connections_received"] - before, 1)
        for token in (first, second):
            self.assertNoSecret(out, token)

    def test_latency_authenticates_again_on_its_probe_connection(self):
        # latency PINGs on a connection of its own per node: past the token's refresh point it
        # must AUTH there too, and a probe connection opened after it uses the new token.
        first, second = self.rotating_tokens(serial=5)
        self.r.config_resetstat()
        env = self.env(IDENTITY_ENDPOINT=self.endpoints.url + "/msi/token",
                       IDENTITY_HEADER=self.endpoints.identity_header)
        out = rctl("-o", "json", "latency", "--entra", "-p", self.server.port, "--interval", "1s", "--count", "5",
                   env=env)
        self.assertExit(out, 0, out.stderr)
        self.assertEqual(self.endpoints.entra_served, 2)
        auth = self.r.info("commandstats").get("cmdstat_auth", {}).get("calls", 0)
        self.assertEqual(auth, 2)  # the client's connection and the probe's
        self.assertNoSecret(out, second)

    def test_long_invalidation_authenticates_again_on_its_scan_and_delete_connections(self):
        first, second = self.rotating_tokens(serial=3)
        self.r.flushall()
        self.r.mset({f"inv:{i}": "v" for i in range(500)})
        self.r.config_resetstat()
        before = self.r.info("stats")["total_connections_received"]
        env = self.env(IDENTITY_ENDPOINT=self.endpoints.url + "/msi/token",
                       IDENTITY_HEADER=self.endpoints.identity_header)
        # 500 keys at 100 keys/s: about five seconds, past the first token's refresh point.
        out, data = rctl_json("cache", "invalidate", "inv:", "--yes", "--batch", "10", "--max-rate", "100", "--entra",
                              "-p", self.server.port, env=env)
        self.assertExit(out, 0, out.stderr)
        self.assertEqual(data["deleted"], 500)
        self.assertEqual(self.endpoints.entra_served, 2)
        connections = self.r.info("stats")["total_connections_received"] - before
        self.assertEqual(connections, 2)  # SCAN on one, UNLINK on the other
        # Each of them sent AUTH with the new token, in the middle of the walk.
        self.assertEqual(self.r.info("commandstats")["cmdstat_auth"]["calls"], connections)


if __name__ == "__main__":
    unittest.main()
