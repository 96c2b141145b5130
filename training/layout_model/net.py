"""The layout model's network: a small decoder-only transformer over layout tokens.

Pre-norm blocks of causal self-attention and a GELU feed-forward, learned absolute
positions (the prefix has a fixed length, so a position also says which slot of which
element a token fills), and an output layer tied to the token embedding. Attention is
written out (no fused kernels) so the ONNX export is plain MatMul / Softmax that any
onnxruntime runs, with a dynamic batch and sequence length.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class Block(nn.Module):
    """One pre-norm transformer block with causal self-attention."""

    def __init__(self, width: int, heads: int, hidden: int, dropout: float) -> None:
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(width)
        self.qkv = nn.Linear(width, 3 * width)
        self.proj = nn.Linear(width, width)
        self.norm2 = nn.LayerNorm(width)
        self.ff = nn.Sequential(nn.Linear(width, hidden), nn.GELU(), nn.Linear(hidden, width))
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        n, t, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).split(d, dim=2)
        shape = (n, t, self.heads, d // self.heads)
        q, k, v = (z.reshape(shape).transpose(1, 2) for z in (q, k, v))
        scores = q @ k.transpose(2, 3) / math.sqrt(d // self.heads) + mask
        att = self.drop(torch.softmax(scores, dim=-1))
        y = (att @ v).transpose(1, 2).reshape(n, t, d)
        x = x + self.drop(self.proj(y))
        return x + self.drop(self.ff(self.norm2(x)))


class LayoutNet(nn.Module):
    """tokens int64 [N, T] → next-token logits float32 [N, T, V]."""

    def __init__(self, vocab_size: int, max_length: int, width: int = 128, layers: int = 3,
                 heads: int = 4, hidden: int = 256, dropout: float = 0.1) -> None:
        super().__init__()
        self.embed = nn.Embedding(vocab_size, width)
        self.position = nn.Embedding(max_length, width)
        self.blocks = nn.ModuleList(Block(width, heads, hidden, dropout) for _ in range(layers))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, vocab_size, bias=True)
        self.head.weight = self.embed.weight
        self.drop = nn.Dropout(dropout)
        self.apply(self._init)

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        t = tokens.shape[1]
        positions = torch.arange(t, device=tokens.device)
        x = self.drop(self.embed(tokens) + self.position(positions)[None])
        causal = torch.full((t, t), float("-inf"), device=tokens.device).triu(1)
        for block in self.blocks:
            x = block(x, causal)
        return self.head(self.norm(x))
