"""The Python detector's second-stage text check: uses of trigger words, not mentions."""

from __future__ import annotations

import pytest

from modeldeps.discover.detectors.pyast.triggers import has_code_trigger


@pytest.mark.parametrize(
    "text",
    [
        "class M:\n    def from_pretrained(cls, name):\n        return cls()\n",
        "card = self.create_model_card(tags)\n",
        "def _load_tokenizer_from_pretrained(path):\n    pass\n",
        "# call AutoModel.from_pretrained here\n",
        '"""Use AutoModel.from_pretrained("x/y")."""\n',
        'print("from_pretrained")\n',
        "from vllm.config import VllmConfig\nfrom openai.types import Batch\n",
    ],
)
def test_mentions_are_not_triggers(text: str) -> None:
    assert not has_code_trigger(text)


@pytest.mark.parametrize(
    "text",
    [
        'm = AutoModel.from_pretrained("org/name")\n',
        "tok = tokenizer_class.from_pretrained(checkpoint)\n",
        'model = timm.create_model("hf_hub:org/x", pretrained=True)\n',
        'import os\nR = os.getenv("RERANKER_MODEL", "org/x")\n',
        'DEFAULT_MODEL = "gpt-4o"\n',
        "from openai import OpenAI\n",
        "import vllm\n",
        "from vllm import LLM\n",
        "from langchain_openai import ChatOpenAI\n",
        'CONFIGS = {"hermes": {"model": "NousResearch/Hermes-3-Llama-3.1-8B"}}\n',
        'models = ["Qwen/Qwen2.5-VL-3B-Instruct"]\n',
        'TOKENIZER_NAME = "meta-llama/Llama-3.2-1B"\n',
        'self.model = "OpenMOSS-Team/MOSS-Audio-4B-Instruct"\n',
        "cfg = ModelConfig(model=TARGET_DIR)\n",
    ],
)
def test_uses_are_triggers(text: str) -> None:
    assert has_code_trigger(text)


def test_one_automaton_finds_what_the_word_and_pattern_passes_find() -> None:
    from modeldeps.discover.detectors.pyast import triggers

    assert triggers._scanner() is not None  # RE2 reads every relaxed pattern
    texts = [
        'import openai\nclient = openai.OpenAI(base_url="x")\n',
        "tok = AutoTokenizer.from_pretrained(MODEL)  # ünïcode before and after: é\n",
        'def from_pretrained(cls):\n    MODEL_ID = os.getenv("EMBED_MODEL", "x")\n',
        'cfg = {"model": "a", \'model_name\': "b"}\nself.model = "c"\nmodels = [\n',
        "x = create_model_card()\nfrom vllm.config import A\nTOKENIZER = os.environ['T']\n",
    ]
    for text in texts:
        fast = sorted(set(triggers.trigger_offsets(text)))
        assert fast == sorted(set(triggers._slow_offsets(text))), text
        assert fast
