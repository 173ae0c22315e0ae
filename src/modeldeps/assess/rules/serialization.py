"""MD2xx code-execution rules: unsafe serialization, remote code, templates, path escapes."""

from __future__ import annotations

from collections.abc import Iterator

from modeldeps.assess.rules.interface import Rule, RuleContext
from modeldeps.model import Confidence, ContextValue, Finding


def truthy(value: ContextValue) -> bool | None:
    """A context flag as a bool: True/False when the code says so literally, None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    if isinstance(value, str):
        low = value.strip().lower()
        if low in {"true", "1", "yes"}:
            return True
        if low in {"false", "0", "no"}:
            return False
    return None


class PickleDangerousGlobal(Rule):
    """A pickle imports a callable that can run code: process, exec/eval, import, network, files.

    Pickle files (``.pkl``, ``.bin``/``.pt``/``.pth`` PyTorch checkpoints, ``.joblib``, pickled
    NumPy arrays) are programs: loading one calls whatever globals it names. The inspector walks
    the opcodes without unpickling and reports each global in a dangerous class (``os.system``,
    ``subprocess.*``, ``builtins.eval``/``exec``, ``importlib``, ``socket``, ``shutil``...) and
    opcode tricks used to hide one. A model file has no reason to import any of them.
    """

    id = "MD201"


class PickleUnknownGlobal(Rule):
    """A pickle imports a global outside the allowlist of known-safe tensor and container types.

    Legitimate checkpoints import a small, known set (``torch._utils._rebuild_tensor_v2``,
    ``collections.OrderedDict``, NumPy array reconstruction...). Anything else is not known to
    be dangerous, but loading the file will import and may call it.
    """

    id = "MD202"


class PickleCapableFormat(Rule):
    """Weights are stored in a format that can run code where a data-only format exists.

    PyTorch ``.bin``/``.pt``/``.pth``/``.ckpt``, joblib and pickle files can execute code when
    loaded even when today's copy is clean; safetensors, GGUF and ONNX hold the same tensors as
    data only.
    """

    id = "MD203"


class TorchLoadUnsafe(Rule):
    """``torch.load`` is called without ``weights_only=True``.

    Without ``weights_only=True`` torch.load unpickles arbitrary objects, so a tampered
    checkpoint runs code in the loading process. PyTorch 2.6 made ``weights_only=True`` the
    default; an explicit ``weights_only=False`` is reported with high confidence, a call that
    leaves it out with medium confidence (it is unsafe on PyTorch before 2.6).
    """

    id = "MD204"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ref in ctx.result.references:
            loader = str(ref.context.get("loader") or "")
            if loader != "torch.load" and not loader.endswith(".torch.load"):
                continue
            flag = truthy(ref.context.get("weights_only"))
            if flag is True:
                continue
            explicit = flag is False
            said = "weights_only=False" if explicit else "no weights_only argument"
            yield self.make(
                f"torch.load({ref.value}) with {said}: the file can run code when loaded",
                ref.location,
                ref.value,
                confidence=Confidence.HIGH if explicit else Confidence.MEDIUM,
            )


class TrustRemoteCode(Rule):
    """A model is loaded with ``trust_remote_code=True``.

    Transformers then downloads Python files from the model repository and runs them in your
    process. Whoever can push to that repository can run code on every machine that loads it;
    without a pinned commit ``revision`` the code can change after review.
    """

    id = "MD205"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for ref in ctx.result.references:
            if truthy(ref.context.get("trust_remote_code")) is not True:
                continue
            revision = str(ref.context.get("revision") or "")
            pinned = is_commit(revision)
            note = f"pinned to {revision[:12]}" if pinned else "not pinned to a commit"
            yield self.make(
                f"{ref.value} is loaded with trust_remote_code=True ({note}): the repository's "
                "Python code runs in this process",
                ref.location,
                ref.value,
                confidence=Confidence.HIGH,
            )


def is_commit(revision: str) -> bool:
    return len(revision) == 40 and all(c in "0123456789abcdef" for c in revision.lower())


class KerasUnsafeLayer(Rule):
    """A Keras model holds a ``Lambda`` layer, serialized Python code, or an unknown custom object.

    Lambda layers carry marshalled Python bytecode that runs on load (before Keras 3 safe mode)
    or on call; custom objects import arbitrary modules.
    """

    id = "MD206"


class ChatTemplateEscape(Rule):
    """A chat template reaches outside the Jinja sandbox.

    Chat templates (``tokenizer_config.json``, GGUF ``tokenizer.chat_template``) are Jinja code
    rendered on every request. A template that reads ``__class__``, ``__globals__``,
    ``__subclasses__`` or similar walks from a string to Python internals: rendered outside a
    sandboxed environment it runs code (server-side template injection).
    """

    id = "MD207"


class PathEscape(Rule):
    """A file inside a model points outside the model folder.

    An archive member with an absolute or ``..`` path, or ONNX external data that resolves
    outside the model's folder: extracting or loading it reads or writes files elsewhere.
    """

    id = "MD208"


class NotVerifiable(Rule):
    """The format can carry executable graph code that cannot be checked statically.

    TensorFlow SavedModel graphs with file or Python ops and TorchScript archives with code can
    do more than compute tensors; modeldeps cannot prove they do not.
    """

    id = "MD209"


class MalformedModel(Rule):
    """A model file is damaged or does not match its format.

    Usually a truncated download. The inspector raises the severity when a header field is
    impossible in a way only a crafted file produces (a parser-exploit attempt).
    """

    id = "MD210"


class UnrecognizedBinary(Rule):
    """A file with a weights-like name is in no format modeldeps recognizes.

    Reported for completeness so that nothing in the inventory is silently opaque.
    """

    id = "MD211"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        for art in ctx.result.artifacts:
            if art.format == "unrecognized" and not any(f.rule_id == self.id for f in art.findings):
                yield self.make(
                    f"{art.location.path}: {art.size_bytes} bytes in no recognized model format",
                    art.location,
                    art.location.path,
                )
