"""``compose.yaml`` (PostgreSQL, Chroma, a llama.cpp server, app replicas behind nginx) is a
working configuration: docker cannot run here, so every cross-reference is checked instead,
and the app's environment is read by the real settings loader."""

from __future__ import annotations

import re
import shlex
from urllib.parse import urlparse

import yaml

from assistant.config import PROJECT_ROOT, Settings, get_settings

COMPOSE = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
APP = SERVICES["app"]


def test_every_piece_is_there_and_the_app_is_replicated():
    assert {"postgres", "chroma", "model", "app", "proxy"} <= set(SERVICES)
    assert APP["deploy"]["replicas"] >= 2
    assert "ports" not in APP, "only the proxy is published"
    assert [p.split(":")[-1] for p in SERVICES["proxy"]["ports"]] == ["443"]


def test_references_resolve():
    for name, service in SERVICES.items():
        for dependency in service.get("depends_on", []):
            assert dependency in SERVICES, (name, dependency)
        for secret in service.get("secrets", []):
            assert secret in COMPOSE["secrets"], (name, secret)
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith("."):
                assert source in COMPOSE["volumes"], (name, source)
    assert (PROJECT_ROOT / "deploy" / "nginx.conf").is_file()
    assert APP["build"] == "." and (PROJECT_ROOT / "Dockerfile").is_file()
    assert "postgres" in APP["depends_on"] and "condition" in APP["depends_on"]["postgres"]


def test_the_app_environment_is_valid_settings_pointing_at_the_services(monkeypatch):
    monkeypatch.setenv("ASSISTANT_PROFILE", APP["environment"]["ASSISTANT_PROFILE"])
    monkeypatch.setenv("ASSISTANT_CONFIG", "/nonexistent/assistant.yaml")
    for name, value in APP["environment"].items():
        monkeypatch.setenv(name, str(value))
    get_settings.cache_clear()
    settings = Settings()
    assert settings.profile == "server"
    dsn = urlparse(settings.catalog.dsn.get_secret_value())
    assert settings.catalog.mode == "postgres" and dsn.hostname == "postgres"
    postgres = SERVICES["postgres"]["environment"]
    assert dsn.username == postgres["POSTGRES_USER"] and dsn.path == f"/{postgres['POSTGRES_DB']}"
    assert ":" not in (dsn.netloc.split("@")[0]), "the password comes from a secret file"
    assert str(settings.catalog.password_file) == "/run/secrets/catalog_password"
    assert postgres["POSTGRES_PASSWORD_FILE"] == "/run/secrets/catalog_password"
    assert settings.chroma.mode == "http" and settings.chroma.host == "chroma"
    assert settings.chroma.port == 8000  # chroma's image listens on 8000
    model_args = shlex.split(SERVICES["model"]["command"])
    base = urlparse(settings.llm.openai_base_url)
    assert settings.llm.backend == "openai" and base.hostname == "model"
    assert base.port == int(model_args[model_args.index("--port") + 1])
    assert settings.llm.openai_model == model_args[model_args.index("-a") + 1]
    slots = int(model_args[model_args.index("-np") + 1])
    assert settings.app.concurrency_limit * APP["deploy"]["replicas"] <= slots
    assert settings.app.admin_credentials_file is not None


def test_the_proxy_sends_to_the_app_port_with_sticky_sessions():
    conf = (PROJECT_ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    upstream = re.search(r"upstream assistant_app \{(.*?)\}", conf, re.S)
    assert upstream and "ip_hash;" in upstream.group(1)
    assert f"server app:{APP['environment']['ASSISTANT_APP__PORT']};" in upstream.group(1)
    assert "proxy_buffering off;" in conf and "proxy_pass http://assistant_app;" in conf
    limit = re.search(r"client_max_body_size (\d+)m;", conf)
    assert limit and int(limit.group(1)) == Settings().app.max_upload_mb
