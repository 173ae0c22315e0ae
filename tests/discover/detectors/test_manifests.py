"""Dependency manifests: AI SDKs, frameworks and runtimes only, with their lines."""

from __future__ import annotations

from modeldeps.discover.detectors.interface import SourceFile
from modeldeps.discover.detectors.manifests import ManifestDetector
from modeldeps.model import Dependency


def deps(rel: str, text: str) -> list[tuple[str, str, str, int | None, str]]:
    found = ManifestDetector().detect(SourceFile(rel, text, text.encode()))
    return [
        (d.ecosystem, d.name, d.specifier, d.location.line, d.category)
        for d in found
        if isinstance(d, Dependency)
    ]


def test_requirements() -> None:
    text = (
        "# AI\nopenai>=1.40\nboto3==1.35\nlangchain-aws>=0.2\nrequests\n"
        "torch==2.4.0 ; sys_platform != 'darwin'\n-r base.txt\nllama_index.core\n"
        "volcengine-python-sdk[ark]>=1.0\n"
    )
    assert deps("requirements-dev.txt", text) == [
        ("pypi", "openai", ">=1.40", 2, "sdk"),
        ("pypi", "langchain-aws", ">=0.2", 4, "sdk"),
        ("pypi", "torch", "==2.4.0", 6, "runtime"),
        ("pypi", "llama_index.core", "", 8, "framework"),
        ("pypi", "volcengine-python-sdk", ">=1.0", 9, "sdk"),
    ]


def test_pyproject_pep621_and_poetry() -> None:
    text = (
        '[project]\nname = "x"\ndependencies = [\n  "anthropic>=0.34",\n  "rich",\n]\n'
        '[project.optional-dependencies]\nlocal = ["vllm==0.6.3"]\n'
        '[tool.poetry.dependencies]\npython = "^3.11"\ntransformers = "^4.46"\n'
        'diffusers = {version = "0.31", optional = true}\n'
    )
    assert deps("pyproject.toml", text) == [
        ("pypi", "anthropic", ">=0.34", 4, "sdk"),
        ("pypi", "vllm", "==0.6.3", 8, "runtime"),
        ("pypi", "transformers", "^4.46", 11, "framework"),
        ("pypi", "diffusers", "0.31", 12, "framework"),
    ]


def test_pipfile_and_setup_cfg() -> None:
    pipfile = '[packages]\nflask = "*"\nollama = "*"\n[dev-packages]\nmistralai = ">=1.0"\n'
    assert deps("Pipfile", pipfile) == [
        ("pypi", "ollama", "", 3, "sdk"),
        ("pypi", "mistralai", ">=1.0", 5, "sdk"),
    ]
    cfg = (
        "[options]\ninstall_requires =\n    numpy\n    cohere>=5\n"
        "[options.extras_require]\nx =\n    groq\n"
    )
    assert deps("setup.cfg", cfg) == [
        ("pypi", "cohere", ">=5", 4, "sdk"),
        ("pypi", "groq", "", 7, "sdk"),
    ]


def test_package_json() -> None:
    text = (
        '{\n  "name": "web",\n  "dependencies": {\n    "react": "19",\n    "ai": "^4.0.0",\n'
        '    "@ai-sdk/openai": "^1.0.0",\n    "@langchain/core": "^0.3"\n  },\n'
        '  "devDependencies": {"openai": "^4.0.0"}\n}\n'
    )
    assert sorted(deps("package.json", text)) == sorted(
        [
            ("npm", "ai", "^4.0.0", 5, "sdk"),
            ("npm", "@ai-sdk/openai", "^1.0.0", 6, "sdk"),
            ("npm", "@langchain/core", "^0.3", 7, "framework"),
            ("npm", "openai", "^4.0.0", 9, "sdk"),
        ]
    )


def test_broken_manifests_yield_nothing() -> None:
    assert deps("pyproject.toml", "[project\ndependencies = [") == []
    assert deps("package.json", '{"dependencies": {"openai": ') == []
