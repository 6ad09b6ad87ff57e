"""`vigil serve --tls-cert --tls-key`: HTTPS with HTTP/2 and HTTP/1.1 negotiated by ALPN, and
clear refusals of bad certificate settings. The certificate is a throwaway one made by openssl."""

import shutil
import ssl
import subprocess

import httpx
import pytest

from conftest import VigilServer, vigil_binary


@pytest.fixture()
def certificate(tmp_path):
    openssl = shutil.which("openssl") or pytest.skip("openssl not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
    return cert, key


def test_https_serves_http2_and_http1(tmp_path, certificate):
    cert, key = certificate
    trust = ssl.create_default_context(cafile=str(cert))
    (tmp_path / "data").mkdir()
    server = VigilServer(vigil_binary(), tmp_path / "data", tmp_path,
                         extra_args=["--tls-cert", str(cert), "--tls-key", str(key)], verify=trust).start()
    try:
        assert server.base_url.startswith("https://127.0.0.1:")
        rows = [[10 + (i % 13) * 0.1, 100 + (i % 17) * 0.5] for i in range(100)]
        with httpx.Client(base_url=server.base_url, verify=trust, http2=True, timeout=30) as h2:
            fitted = h2.post("/v1/ml/anomaly/fit", json={"model": "secure", "data": rows})
            assert fitted.status_code == 200, fitted.text
            assert fitted.http_version == "HTTP/2"
            scored = h2.post("/v1/ml/anomaly/score", json={"model": "secure", "data": [[10.5, 104.0], [900.0, -40.0]]})
            assert scored.http_version == "HTTP/2"
            assert [r["is_anomaly"] for r in scored.json()["data"]] == [False, True]
        with httpx.Client(base_url=server.base_url, verify=trust, timeout=30) as h1:
            health = h1.get("/healthz")
            assert health.status_code == 200 and health.http_version == "HTTP/1.1"
        # Plain HTTP to the TLS port is not served, and an unverified client is refused.
        with pytest.raises(httpx.TransportError):
            httpx.get(server.base_url.replace("https://", "http://") + "/healthz", timeout=5)
        with pytest.raises(httpx.ConnectError) as refused:
            httpx.get(server.base_url + "/healthz", timeout=5)
        assert isinstance(refused.value.__context__, ssl.SSLCertVerificationError) or "CERTIFICATE_VERIFY_FAILED" in str(refused.value)
    finally:
        server.stop()


@pytest.mark.parametrize("case", ["missing-key-flag", "unreadable-cert", "key-of-another-cert"])
def test_bad_tls_settings_stop_the_start_with_one_line(tmp_path, certificate, case):
    cert, key = certificate
    other = tmp_path / "other"
    other.mkdir()
    if case == "missing-key-flag":
        args, expected = ["--tls-cert", str(cert)], "--tls-cert needs --tls-key"
    elif case == "unreadable-cert":
        args, expected = ["--tls-cert", str(tmp_path / "absent.pem"), "--tls-key", str(key)], "cannot read the TLS certificate"
    else:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", str(other / "key.pem"), "-out", str(other / "cert.pem"), "-days", "1", "-subj", "/CN=x"],
                       check=True, capture_output=True)
        args, expected = ["--tls-cert", str(cert), "--tls-key", str(other / "key.pem")], "does not fit the certificate"
    run = subprocess.run([str(vigil_binary()), "serve", "--port", "0", "--data-dir", str(tmp_path / "d"), *args],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vigil: ") and expected in lines[0], run.stderr
