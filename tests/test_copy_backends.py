"""Generation backends: a real local HTTP server and a tiny real ONNX encoder-decoder,
both held to the writer's checks with the offline writer as fallback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from ddm_lang.copy import Facts, write
from ddm_lang.copy.backends import HttpChat, OnnxSeq2Seq, from_env

SNEAKER = Facts.from_product({
    "id": "s", "title": "轻盈跑步鞋 Aero Runner", "lang": "zh", "category": "apparel",
    "brand": {"name": "Aero", "logos": []}, "price": {"amount": 499, "currency": "CNY"},
    "selling_points": ["透气网面", "缓震中底", "仅重 220 克"],
    "attributes": {"weight": "220 g"}, "images": ["a.jpg"]})


class Handler(BaseHTTPRequestHandler):
    reply: ClassVar[str] = ""
    status: ClassVar[int] = 200
    delay: ClassVar[float] = 0.0
    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Handler.requests.append({"path": self.path, "body": body,
                                 "auth": self.headers.get("Authorization")})
        time.sleep(Handler.delay)
        data = json.dumps({"choices": [{"index": 0, "message": {
            "role": "assistant", "content": Handler.reply}}]}).encode()
        self.send_response(Handler.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the timeout test hangs up before the reply: not an error here


@pytest.fixture
def server() -> Iterator[str]:
    Handler.reply, Handler.status, Handler.delay = "", 200, 0.0
    Handler.requests = []
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_http_factual_candidate_is_used(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DDM_COPY_API_KEY", "k-123")
    Handler.reply = "「透气网面，仅重 220 克」"
    cap = write("selling_point", SNEAKER, chars_per_line=12, max_lines=1,
                backend=HttpChat(server, "copy-model"))
    assert (cap.text, cap.source) == ("透气网面，仅重 220 克", "http")
    assert "selling_point:0" in cap.facts and "selling_point:2" in cap.facts
    req = Handler.requests[0]
    assert req["path"] == "/v1/chat/completions"
    assert req["body"]["model"] == "copy-model" and req["body"]["temperature"] == 0
    assert req["auth"] == "Bearer k-123"
    assert "透气网面" in req["body"]["messages"][1]["content"]


def test_http_non_factual_candidate_falls_back(server: str) -> None:
    Handler.reply = "仅重 180 克，防水鞋面"
    cap = write("selling_point", SNEAKER, chars_per_line=12, max_lines=1,
                backend=HttpChat(server))
    assert cap.source == "template" and cap.text == "透气网面"
    assert any("180" in r for r in cap.rejected)


def test_http_candidate_that_overflows_or_repeats_falls_back(server: str) -> None:
    Handler.reply = "透气网面"
    cap = write("selling_point", SNEAKER, chars_per_line=12, max_lines=1,
                used={"selling_point:0"}, backend=HttpChat(server))
    assert cap.source == "template" and cap.text == "缓震中底"
    Handler.reply = "轻盈跑步鞋 Aero Runner 透气网面 缓震中底"
    cap = write("headline", SNEAKER, chars_per_line=6, max_lines=1, backend=HttpChat(server))
    assert cap.source == "template" and "does not fit" in cap.rejected[0]


def test_http_failures_fall_back_and_pause_without_retry_storm(server: str) -> None:
    Handler.status = 500
    backend = HttpChat(server, max_failures=2, cooldown=60)
    for _ in range(4):
        cap = write("headline", SNEAKER, chars_per_line=12, max_lines=1, backend=backend)
        assert cap.source == "template" and cap.text
    assert len(Handler.requests) == 2          # paused after two failures in a row


def test_http_timeout_falls_back(server: str) -> None:
    Handler.delay, Handler.reply = 1.0, "透气网面"
    t0 = time.perf_counter()
    cap = write("selling_point", SNEAKER, chars_per_line=12, max_lines=1,
                backend=HttpChat(server, timeout=0.2))
    assert cap.source == "template" and time.perf_counter() - t0 < 0.9


def test_unreachable_endpoint_falls_back() -> None:
    cap = write("headline", SNEAKER, chars_per_line=12, max_lines=1,
                backend=HttpChat("http://127.0.0.1:9", timeout=0.5))
    assert cap.source == "template" and cap.rejected


# ---- ONNX encoder-decoder ------------------------------------------------------------------
def echo_model(folder: Path, text: str, prompt: str) -> None:
    """An encoder-decoder that copies its input: the encoder one-hot encodes the tokens,
    the decoder's logits at position t are the encoder's token t (then end of sequence)."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    vocab = ["<pad>", "<s>", "</s>", "<unk>", *sorted(set(text + prompt))]
    V = len(vocab)
    eye = numpy_helper.from_array(np.eye(V, dtype=np.float32), "eye")
    enc = helper.make_graph(
        [helper.make_node("Gather", ["eye", "input_ids"], ["last_hidden_state"], axis=0)],
        "encoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "S"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, [1, "S"])],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, [1, "S", V])],
        [eye])
    eos = np.zeros((1, 1, V), np.float32)
    eos[0, 0, 2] = 1.0
    consts = [numpy_helper.from_array(eos, "eos"),
              numpy_helper.from_array(np.array(1, np.int64), "one"),
              numpy_helper.from_array(np.array(0, np.int64), "zero")]
    dec = helper.make_graph(
        [helper.make_node("Concat", ["encoder_hidden_states", "eos"], ["ext"], axis=1),
         helper.make_node("Shape", ["input_ids"], ["shape"]),
         helper.make_node("Gather", ["shape", "one"], ["t"], axis=0),
         helper.make_node("Range", ["zero", "t", "one"], ["pos"]),
         helper.make_node("Gather", ["ext", "pos"], ["logits"], axis=1)],
        "decoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, "T"]),
         helper.make_tensor_value_info("encoder_hidden_states", TensorProto.FLOAT,
                                       [1, "S", V]),
         helper.make_tensor_value_info("encoder_attention_mask", TensorProto.INT64, [1, "S"])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, "T", V])], consts)
    opset = [helper.make_opsetid("", 17)]
    for name, graph in (("encoder.onnx", enc), ("decoder.onnx", dec)):
        model = helper.make_model(graph, opset_imports=opset)
        model.ir_version = 8
        onnx.checker.check_model(model)
        onnx.save(model, folder / name)
    (folder / "tokenizer.json").write_text(json.dumps(
        {"vocab": vocab, "pad_id": 0, "bos_id": 1, "eos_id": 2, "unk_id": 3}))
    (folder / "config.json").write_text(json.dumps({"prompt": prompt, "max_new_tokens": 40}))


def test_onnx_seq2seq_echo_is_decoded_end_to_end(tmp_path: Path) -> None:
    echo_model(tmp_path, "透气网面；缓震中底；仅重 220 克", "{selling_points}")
    backend = OnnxSeq2Seq(tmp_path)
    cap = write("selling_point", SNEAKER, chars_per_line=30, max_lines=1, backend=backend)
    assert cap.source == "onnx"
    assert cap.text == "透气网面；缓震中底；仅重 220 克"   # the prompt, copied token by token


def test_onnx_seq2seq_non_factual_output_falls_back(tmp_path: Path) -> None:
    echo_model(tmp_path, "轻盈跑步鞋 Aero Runner", "{title} 2099 限量")
    cap = write("headline", SNEAKER, chars_per_line=30, max_lines=1,
                backend=OnnxSeq2Seq(tmp_path))
    assert cap.source == "template" and cap.text == "轻盈跑步鞋 Aero Runner"
    assert any("2099" in r for r in cap.rejected)


def test_from_env(tmp_path: Path) -> None:
    assert from_env({}) is None
    assert from_env({"DDM_COPY_BACKEND": "offline"}) is None
    http = from_env({"DDM_COPY_BACKEND": "http:http://localhost:8000/v1",
                     "DDM_COPY_MODEL": "m", "DDM_COPY_TIMEOUT": "3"})
    assert isinstance(http, HttpChat)
    assert http.url == "http://localhost:8000/v1/chat/completions" and http.timeout == 3
    echo_model(tmp_path, "ab", "{title}")
    assert isinstance(from_env({"DDM_COPY_BACKEND": f"onnx:{tmp_path}"}), OnnxSeq2Seq)
    with pytest.raises(ValueError, match="DDM_COPY_BACKEND"):
        from_env({"DDM_COPY_BACKEND": "gpt"})
