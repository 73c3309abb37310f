"""Elasticsearch 8 from the `integ-test-zip` distribution on Maven Central.

That zip carries no JDK (ES_JAVA_HOME points at the machine's Java) and only a minimal
module set: transport, x-pack core and security. So no language analyzers, no painless,
no ingest pipelines, no _delete_by_query, not even `GET /` (so no client `info()` or
`ping()`): code meant to run against it must not rely on them. Elasticsearch refuses to
run as root, so as root it runs as a system user that owns its install copy, config,
logs and data.
"""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from services import maven
from services.base import Launch, Step
from services.errors import ServiceError
from services.process import HOST, PidFile, RunAs, chown_tree, ensure_traversable
from services.settings import ElasticsearchSpec, StackSpec, StatePaths
from services.toolchain import Toolchain

CLUSTER_NAME = "murmure"


def _extract(archive: Path, dest: Path) -> None:
    """Unzip keeping Unix modes (zipfile drops them; the bin/ scripts must stay executable)."""
    staging = dest.with_name(dest.name + ".partial")
    if staging.exists():
        shutil.rmtree(staging)
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            target = Path(zf.extract(info, staging))
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                target.chmod(mode)
    tops = list(staging.iterdir())
    if len(tops) != 1 or not (tops[0] / "bin" / "elasticsearch").is_file():
        raise ServiceError(f"{archive.name} does not look like an Elasticsearch distribution")
    if dest.exists():
        shutil.rmtree(dest)
    tops[0].rename(dest)
    staging.rmdir()


def _get_json(url: str, timeout_s: float) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:
            if resp.status != 200:
                return None
            body = json.loads(resp.read())
    except (OSError, urllib.error.URLError, ValueError):
        return None
    return body if isinstance(body, dict) else None


@dataclass(frozen=True)
class ElasticsearchService:
    """The local single-node Elasticsearch."""

    spec: ElasticsearchSpec
    stack: StackSpec
    paths: StatePaths
    name: str = "elasticsearch"
    needs_unprivileged_user: bool = True

    @property
    def version(self) -> str:
        """Pinned Elasticsearch version."""
        return self.spec.version

    @property
    def port(self) -> int:
        """HTTP port."""
        return self.spec.port

    @property
    def ports(self) -> dict[int, str]:
        """HTTP and transport ports."""
        return {self.spec.port: "HTTP port", self.spec.transport_port: "transport port"}

    @property
    def url(self) -> str:
        """Base URL for clients."""
        return f"http://{HOST}:{self.spec.port}"

    @property
    def start_timeout_s(self) -> float:
        """How long to wait for Elasticsearch to answer after launching it."""
        return self.spec.start_timeout_s

    @property
    def pid_file(self) -> PidFile:
        """run/elasticsearch.pid"""
        return PidFile(self.paths.run / "elasticsearch.pid")

    @property
    def _install_dir(self) -> Path:
        return self.paths.artifacts / f"elasticsearch-{self.spec.version}"

    @property
    def home(self) -> Path:
        """The unpacked distribution (ES_HOME)."""
        return self._install_dir / "home"

    @property
    def _run_dir(self) -> Path:
        return self.paths.run / "elasticsearch"

    @property
    def _data_dir(self) -> Path:
        return self.paths.data / "elasticsearch"

    def install(self, tools: Toolchain, step: Step) -> None:
        """Fetch the zip with Maven and unpack it into artifacts/elasticsearch-<ver>/home."""
        marker = self.home / maven.MARKER
        if marker.is_file():
            return
        step(f"Downloading Elasticsearch {self.spec.version} from Maven Central")
        download = self._install_dir / "download"
        files = maven.fetch(
            "Elasticsearch",
            self.spec.coordinates(),
            self._install_dir,
            download,
            tools=tools,
            plugin_version=self.stack.maven_dependency_plugin,
            timeout_s=self.stack.maven_timeout_s,
            transitive=False,
        )
        zips = [f for f in files if f.suffix == ".zip"]
        if len(zips) != 1:
            raise ServiceError(f"expected one Elasticsearch zip in {download}, found {files}")
        step(f"Unpacking Elasticsearch {self.spec.version}")
        _extract(zips[0], self.home)
        marker.write_text(self.spec.version, encoding="utf-8")
        shutil.rmtree(download)  # Maven keeps its own copy in ~/.m2

    def _settings(self) -> str:
        s = self.spec
        settings = {
            "cluster.name": CLUSTER_NAME,
            "node.name": "murmure-local",
            "discovery.type": "single-node",
            "network.host": HOST,
            "http.port": s.port,
            "transport.port": s.transport_port,
            "path.data": str(self._data_dir),
            "path.logs": str(self._run_dir / "logs"),
            "xpack.security.enabled": False,
            # Developer disks are often nearly full; never turn indices read-only for that.
            "cluster.routing.allocation.disk.threshold_enabled": False,
        }
        header = "# Generated by murmure services; rewritten at every start.\n"
        return header + json.dumps(settings, indent=2) + "\n"  # JSON is valid YAML

    def prepare(self, tools: Toolchain, user: RunAs | None) -> Launch:
        """Write a config dir (defaults from the distribution + our elasticsearch.yml)."""
        config = self._run_dir / "config"
        logs = self._run_dir / "logs"
        tmp = self._run_dir / "tmp"
        for directory in (config, logs, tmp, self._data_dir):
            directory.mkdir(parents=True, exist_ok=True)
        for item in (self.home / "config").iterdir():
            target = config / item.name
            if item.is_dir():
                shutil.copytree(item, target, dirs_exist_ok=True)
            elif item.name != "elasticsearch.yml":
                shutil.copy2(item, target)
        (config / "elasticsearch.yml").write_text(self._settings(), encoding="utf-8")
        if user is not None:
            ensure_traversable(self.paths.root)
            for tree in (self.home, self._run_dir, self._data_dir):
                chown_tree(tree, user.uid, user.gid)
        env = {
            "PATH": tools.env.get("PATH", "/usr/bin:/bin"),
            "LANG": tools.env.get("LANG", "C.UTF-8"),
            "HOME": str(self._run_dir),
            "ES_JAVA_HOME": str(tools.java.home),
            "ES_PATH_CONF": str(config),
            "ES_TMPDIR": str(tmp),
            "ES_JAVA_OPTS": f"-Xms{self.spec.heap} -Xmx{self.spec.heap}",
        }
        return Launch(
            cmd=[str(self.home / "bin" / "elasticsearch")],
            cwd=logs,  # jvm.options writes gc.log relative to the working directory
            env=env,
            console_log=self._run_dir / "console.log",
            user=user,
        )

    def answering(self) -> bool:
        """Cluster health reaches at least yellow.

        (`GET /` is no probe here: this distribution lacks the module that serves it.)
        """
        health = _get_json(f"{self.url}/_cluster/health?wait_for_status=yellow&timeout=2s", 5.0)
        return health is not None and health.get("status") in ("green", "yellow")

    def running_version(self) -> str | None:
        """The version the local node reports, or None if it does not answer."""
        body = _get_json(f"{self.url}/_nodes/_local?filter_path=nodes.*.version", 5.0)
        nodes = body.get("nodes") if body else None
        if not isinstance(nodes, dict) or len(nodes) != 1:
            return None
        node = next(iter(nodes.values()))
        version = node.get("version") if isinstance(node, dict) else None
        return version if isinstance(version, str) else None

    def logs(self) -> list[Path]:
        """The server log and the launcher's console output."""
        return [self._run_dir / "logs" / f"{CLUSTER_NAME}.log", self._run_dir / "console.log"]
