"""Small transformer text encoder: ids int64 [B, L] (0 = pad) -> emb float32 [B, L, Dt] (CONTRACTS 4).

Trained jointly with the denoiser. Pre-norm layers over SDPA with a key-padding mask; learned positions.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from .configs import ModelConfig


class EncoderLayer(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.qkv, self.proj = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.mlp = nn.Sequential(nn.Linear(dim, int(dim * mlp_ratio)), nn.GELU(approximate="tanh"),
                                 nn.Linear(int(dim * mlp_ratio), dim))

    def forward(self, x: Tensor, key_mask: Tensor) -> Tensor:
        q, k, v = self.qkv(self.norm1(x)).unflatten(-1, (3, self.heads, -1)).permute(2, 0, 3, 1, 4)  # [B, H, L, d] x3
        a = F.scaled_dot_product_attention(q, k, v, attn_mask=key_mask)  # [B, H, L, d]
        x = x + self.proj(a.transpose(1, 2).flatten(2))  # [B, L, Dt]
        return x + self.mlp(self.norm2(x))  # [B, L, Dt]


class TextEncoder(nn.Module):
    def __init__(self, cfg: ModelConfig, vocab_size: int):
        super().__init__()
        self.vocab_size = vocab_size
        max_len = max(cfg.limits.maxTextTokens, cfg.limits.maxPhraseTokens)
        self.tok = nn.Embedding(vocab_size, cfg.text_dim)
        self.pos = nn.Parameter(torch.zeros(max_len, cfg.text_dim))
        self.layers = nn.ModuleList(EncoderLayer(cfg.text_dim, cfg.text_heads, cfg.text_mlp_ratio)
                                    for _ in range(cfg.text_layers))
        self.norm = nn.LayerNorm(cfg.text_dim)
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.normal_(self.pos, std=0.02)

    def forward(self, ids: Tensor) -> Tensor:
        key_mask = (ids != 0)[:, None, None, :]  # bool [B, 1, 1, L]
        x = self.tok(ids) + self.pos[: ids.shape[1]]  # [B, L, Dt]
        for layer in self.layers:
            x = layer(x, key_mask)  # [B, L, Dt]
        return self.norm(x)  # [B, L, Dt]
