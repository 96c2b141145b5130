"""Generation backends: plug a real generative model into the copy writer.

Two contracts, both optional (the default writer is offline and needs neither). Whatever
a backend proposes goes through the writer's checks (fits the box, `factuality`, no fact
another box states); a rejected or failed proposal falls back to the offline writer, and
the caption's `rejected` says why. Backends are asked for headlines and selling points
only: prices, brands and calls to action come from the data and fixed tables.

ONNX encoder-decoder (`OnnxSeq2Seq(folder)`), a folder holding:

- `tokenizer.json`: `{"vocab": [token, ...], "pad_id": 0, "bos_id": 1, "eos_id": 2,
  "unk_id": 3}`; text is split by greedy longest match over the vocabulary (a character
  vocabulary is the simple case), unknown characters become `unk_id`; `bos_id` starts
  decoding; special ids are dropped from the output;
- `encoder.onnx`: inputs `input_ids` int64 [1, S] and `attention_mask` int64 [1, S] (all
  ones), output `last_hidden_state` float32 [1, S, H];
- `decoder.onnx`: inputs `input_ids` int64 [1, T] (the tokens so far, starting with
  `bos_id`), `encoder_hidden_states` float32 [1, S, H] and, if the graph declares it,
  `encoder_attention_mask` int64 [1, S]; output `logits` float32 [1, T, V]. Decoding is
  greedy (argmax of the last position) until `eos_id` or `max_new_tokens`, without a
  key/value cache (copy is short);
- `config.json` (optional): `{"prompt": "...", "max_new_tokens": 64}`; the prompt is a
  `str.format` template over the fields of `prompt_fields` (default `DEFAULT_PROMPT`).

These are the names Hugging Face Optimum gives a T5-style export (`encoder_model.onnx`,
`decoder_model.onnx` renamed), so a fine-tuned model needs only its vocabulary written out.

OpenAI-compatible HTTP (`HttpChat(base_url, model)`): one `POST {base_url}/v1/chat/
completions` per caption with the standard library (`urllib`), JSON body `{"model",
"messages": [system, user], "temperature": 0, "max_tokens", "n": 1}`, bearer token from
the environment variable `api_key_env` when set; every `choices[i].message.content` is a
candidate. No retries: a failure (network, HTTP status, timeout, malformed JSON) is
reported and the offline writer answers; after `max_failures` failures in a row the
backend is not called for `cooldown` seconds, so an outage does not cost every caption a
timeout.

`from_env()` reads `DDM_COPY_BACKEND`: unset, empty or `offline` → None (offline writer);
`onnx:FOLDER`; `http:BASE_URL` or a URL itself, with `DDM_COPY_MODEL` (model name,
default `default`), `DDM_COPY_API_KEY` (the key itself, read at each call) and
`DDM_COPY_TIMEOUT` (seconds, default 10).
"""

from __future__ import annotations

import json
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ddm_lang.errors import SettingError

from .writer import BackendError, Request

DEFAULT_PROMPT = ("kind: {kind}\nlang: {lang}\nbudget: {max_lines} lines of {chars_per_line} "
                  "characters\ntitle: {title}\nbrand: {brand}\nattributes: {attributes}\n"
                  "selling points: {selling_points}\navoid: {avoid}")
SYSTEM_PROMPT = (
    "You write advertising copy for one text box of a product ad. Use only facts given in "
    "the product data: never add numbers, sizes, materials, colours, claims or attribute "
    "values that are not in it. Reply with the copy only, one paragraph, in the requested "
    "language, short enough for the box (wide CJK characters count 1, other characters "
    "about half).")


def prompt_fields(request: Request) -> dict[str, Any]:
    """The fields a prompt template may use."""
    f = request.facts
    return {
        "kind": request.kind, "lang": request.lang,
        "chars_per_line": f"{request.chars_per_line:g}", "max_lines": request.max_lines,
        "title": f.title, "brand": f.brand or "", "category": f.category or "",
        "attributes": "*".join(f"{k}#{v}" for k, v in f.copy_attributes()),
        "selling_points": "；".join(f.selling_points), "description": f.description or "",
        "avoid": "；".join(request.avoid),
    }


# ---- ONNX encoder-decoder ------------------------------------------------------------------
class Tokenizer:
    """Greedy longest-match tokenizer over a fixed vocabulary (see the module doc)."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.vocab: list[str] = list(spec["vocab"])
        self.pad_id = int(spec.get("pad_id", 0))
        self.bos_id = int(spec.get("bos_id", 1))
        self.eos_id = int(spec.get("eos_id", 2))
        self.unk_id = int(spec.get("unk_id", 3))
        self.special = {self.pad_id, self.bos_id, self.eos_id, self.unk_id}
        self.ids = {t: i for i, t in enumerate(self.vocab) if i not in self.special and t}
        self.longest = max((len(t) for t in self.ids), default=1)

    def encode(self, text: str) -> list[int]:
        out: list[int] = []
        i = 0
        while i < len(text):
            for n in range(min(self.longest, len(text) - i), 0, -1):
                if text[i:i + n] in self.ids:
                    out.append(self.ids[text[i:i + n]])
                    i += n
                    break
            else:
                out.append(self.unk_id)
                i += 1
        return out

    def decode(self, ids: list[int]) -> str:
        return "".join(self.vocab[i] for i in ids
                       if i not in self.special and 0 <= i < len(self.vocab))


class OnnxSeq2Seq:
    """A user's encoder-decoder copy model, run greedily with onnxruntime."""

    name = "onnx"

    def __init__(self, folder: str | Path, *, max_new_tokens: int | None = None,
                 prompt: str | None = None) -> None:
        from ddm_lang.perception.models import ModelError, onnx_session

        self.folder = Path(folder)
        try:
            self.tokenizer = Tokenizer(json.loads(
                (self.folder / "tokenizer.json").read_text(encoding="utf-8")))
            config_path = self.folder / "config.json"
            config = json.loads(config_path.read_text(encoding="utf-8")) \
                if config_path.is_file() else {}
            self.encoder = onnx_session(self.folder / "encoder.onnx")
            self.decoder = onnx_session(self.folder / "decoder.onnx")
        except (OSError, ValueError, KeyError, ModelError) as err:
            raise BackendError(f"{self.folder}: not a usable copy model folder ({err})") \
                from None
        self.prompt = prompt or config.get("prompt", DEFAULT_PROMPT)
        self.max_new_tokens = int(max_new_tokens or config.get("max_new_tokens", 64))
        enc_in = {i.name for i in self.encoder.get_inputs()}
        dec_in = {i.name for i in self.decoder.get_inputs()}
        if not {"input_ids", "attention_mask"} <= enc_in or \
                not {"input_ids", "encoder_hidden_states"} <= dec_in:
            raise BackendError(f"{self.folder}: encoder inputs {sorted(enc_in)}, decoder "
                               f"inputs {sorted(dec_in)}; see the contract in docs/copy.md")
        self._dec_mask = "encoder_attention_mask" in dec_in

    def generate(self, request: Request) -> list[str]:
        try:
            source = self.prompt.format(**prompt_fields(request))
        except (KeyError, IndexError, ValueError) as err:
            raise BackendError(f"prompt template: {err}") from None
        ids = np.asarray([self.tokenizer.encode(source)], np.int64)
        mask = np.ones_like(ids)
        try:
            hidden = self.encoder.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            out = [self.tokenizer.bos_id]
            for _ in range(self.max_new_tokens):
                feeds = {"input_ids": np.asarray([out], np.int64),
                         "encoder_hidden_states": hidden}
                if self._dec_mask:
                    feeds["encoder_attention_mask"] = mask
                logits = self.decoder.run(None, feeds)[0]
                token = int(np.argmax(logits[0, -1]))
                if token == self.tokenizer.eos_id:
                    break
                out.append(token)
        except Exception as err:  # onnxruntime raises its own exception types
            raise BackendError(f"{self.folder}: inference failed ({err})") from None
        return [self.tokenizer.decode(out[1:])]


# ---- OpenAI-compatible HTTP ----------------------------------------------------------------
class HttpChat:
    """A chat-completions endpoint (OpenAI, vLLM, llama.cpp server, Ollama...)."""

    name = "http"

    def __init__(self, base_url: str, model: str = "default", *,
                 api_key_env: str = "DDM_COPY_API_KEY", timeout: float = 10.0,
                 max_failures: int = 3, cooldown: float = 60.0) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise SettingError(f"copy backend URL must be http(s), got {base_url!r}")
        base = base_url.rstrip("/")
        self.url = base + ("/chat/completions" if base.endswith("/v1")
                           else "/v1/chat/completions")
        self.model = model
        self.api_key_env = api_key_env
        self.timeout = timeout
        self.max_failures = max_failures
        self.cooldown = cooldown
        self._failures = 0
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def messages(self, request: Request) -> list[dict[str, str]]:
        fields = prompt_fields(request)
        user = (f"Write the {request.kind.replace('_', ' ')} for a box of "
                f"{request.max_lines} line(s) of {fields['chars_per_line']} wide characters, "
                f"in language `{request.lang}`. Do not repeat: {fields['avoid'] or '-'}.\n"
                "Product data:\n" + json.dumps(
                    {k: fields[k] for k in ("title", "brand", "category", "attributes",
                                            "selling_points", "description") if fields[k]},
                    ensure_ascii=False, indent=1))
        return [{"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": user}]

    def generate(self, request: Request) -> list[str]:
        with self._lock:
            if time.monotonic() < self._paused_until:
                raise BackendError(f"{self.url}: paused after {self.max_failures} failures "
                                   "in a row")
        body = json.dumps({
            "model": self.model, "messages": self.messages(request), "temperature": 0,
            "max_tokens": max(16, int(request.chars_per_line * request.max_lines * 3)),
            "n": 1}).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        req = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                reply = json.loads(resp.read(1 << 20).decode("utf-8"))
            texts = [str(c["message"]["content"]) for c in reply["choices"]]
        except urllib.error.HTTPError as err:
            self._failed()
            raise BackendError(f"{self.url}: HTTP {err.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as err:
            self._failed()
            raise BackendError(f"{self.url}: {getattr(err, 'reason', err)}") from None
        except (ValueError, KeyError, TypeError, IndexError) as err:
            self._failed()
            raise BackendError(f"{self.url}: malformed reply ({err})") from None
        with self._lock:
            self._failures = 0
        return texts

    def _failed(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.max_failures:
                self._paused_until = time.monotonic() + self.cooldown
                self._failures = 0


def from_env(environ: Mapping[str, str] | None = None) -> OnnxSeq2Seq | HttpChat | None:
    """The backend `DDM_COPY_BACKEND` names (see the module doc); None: offline."""
    env = os.environ if environ is None else environ
    value = (env.get("DDM_COPY_BACKEND") or "").strip()
    if value in ("", "offline", "none"):
        return None
    if value.startswith("onnx:"):
        return OnnxSeq2Seq(value[5:])
    if value.startswith("http:") and not value.startswith("http://"):
        value = value[5:]
    if value.startswith(("http://", "https://")):
        return HttpChat(value, env.get("DDM_COPY_MODEL") or "default",
                        timeout=float(env.get("DDM_COPY_TIMEOUT") or 10))
    raise SettingError(f"DDM_COPY_BACKEND={value!r}: use offline, onnx:FOLDER or "
                     "http:BASE_URL")
