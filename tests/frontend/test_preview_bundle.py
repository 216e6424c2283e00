"""The committed preview bundle matches the front-end package's lockfile, and the package is pinned."""

import gzip
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "frontend" / "preview"
BUNDLE = ROOT / "static" / "preview" / "widget.js"
# The chat components release @microsoft/omnichannel-chat-widget 1.8.3 depends on (exactly).
COMPONENTS_RELEASE = "1.1.15"


def lock_versions() -> dict[str, str]:
    lock = json.loads((PACKAGE / "package-lock.json").read_text())
    return {
        path.removeprefix("node_modules/"): entry["version"]
        for path, entry in lock["packages"].items()
        if path.startswith("node_modules/") and "/node_modules/" not in path
    }


def bundle_header() -> dict[str, str]:
    header = BUNDLE.read_text(encoding="utf-8").split("*/", 1)[0]
    return dict(re.findall(r"^ \* ((?:@[\w.-]+/)?[\w.-]+)@(\S+)$", header, re.M))


def test_bundle_header_names_the_lockfile_versions():
    header = bundle_header()
    locked = lock_versions()
    assert {"@microsoft/omnichannel-chat-components", "react", "react-dom", "esbuild"} <= set(header)
    mismatched = {
        name: (version, locked.get(name)) for name, version in header.items() if locked.get(name) != version
    }
    assert mismatched == {}, "static/preview/widget.js is stale: run `make preview-bundle` and commit it"


def test_package_pins_exact_versions_and_the_components_release():
    package = json.loads((PACKAGE / "package.json").read_text())
    pinned = {**package["dependencies"], **package["devDependencies"]}
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", version) for version in pinned.values()), pinned
    assert pinned["@microsoft/omnichannel-chat-components"] == COMPONENTS_RELEASE
    assert pinned["react"].startswith("18.") and pinned["react-dom"] == pinned["react"]
    locked = lock_versions()
    assert all(locked[name] == version for name, version in pinned.items())


def test_bundle_is_small_and_brings_its_icon_fonts():
    assert len(gzip.compress(BUNDLE.read_bytes(), 9)) <= 350 * 1024
    assert list((ROOT / "static" / "preview" / "fonts").glob("fabric-icons-*.woff"))


def test_node_modules_stay_out_of_git():
    assert "node_modules/" in (PACKAGE / ".gitignore").read_text().split()
