"""MMDiT building blocks in the FLUX style: EmbedND (3-axis RoPE, real cos/sin), timestep embedding,
Modulation (AdaLN), QK-norm, DoubleStreamBlock, SingleStreamBlock, LastLayer.

Attention goes through `F.scaled_dot_product_attention` with an additive mask [B, 1, N, N] (0 = may
read, -inf = may not), built once per forward by the model; that path exports to ONNX. The optional
FlexAttention path passes a BlockMask instead (`flex.py`). No complex ops anywhere.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.attention.flex_attention import BlockMask

from .flex import flex


def rope_angles(pos: Tensor, dim: int, theta: float = 10_000.0) -> Tensor:
    """pos [B, N] -> angles [B, N, dim/2]."""
    omega = 1.0 / theta ** (torch.arange(0, dim, 2, dtype=torch.float32, device=pos.device) / dim)  # [dim/2]
    return pos.float()[..., None] * omega  # [B, N, dim/2]


class EmbedND(nn.Module):
    """3-axis rotary embedding: ids [B, N, 3] -> (cos, sin), each [B, 1, N, head_dim/2]."""

    def __init__(self, axes_dim: tuple[int, ...], theta: float = 10_000.0):
        super().__init__()
        self.axes_dim, self.theta = tuple(axes_dim), theta

    def forward(self, ids: Tensor) -> tuple[Tensor, Tensor]:
        ang = torch.cat([rope_angles(ids[..., i], d, self.theta) for i, d in enumerate(self.axes_dim)], -1)  # [B, N, D/2]
        return torch.cos(ang)[:, None], torch.sin(ang)[:, None]  # [B, 1, N, D/2] x2


def apply_rope(x: Tensor, cos: Tensor, sin: Tensor) -> Tensor:
    """x [B, H, N, D] rotated pairwise (x[2i], x[2i+1]) by the angles."""
    x0, x1 = x[..., 0::2], x[..., 1::2]  # [B, H, N, D/2] x2
    return torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), -1).flatten(-2)  # [B, H, N, D]


def attention(q: Tensor, k: Tensor, v: Tensor, cos: Tensor, sin: Tensor, mask: Tensor | BlockMask) -> Tensor:
    """q, k, v [B, H, N, D]; mask: additive float (or bool) [B, 1, N, N] for SDPA, or a FlexAttention
    BlockMask (the optional flex path, `flex.py`) -> [B, N, H*D]."""
    q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
    if isinstance(mask, BlockMask):
        x = flex(q, k, v, mask)  # [B, H, N, D]
    else:
        x = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # [B, H, N, D]
    return x.transpose(1, 2).flatten(2)  # [B, N, H*D]


def timestep_embedding(t: Tensor, dim: int, max_period: float = 10_000.0, time_factor: float = 1000.0) -> Tensor:
    """t [B] in [0, 1] -> sinusoidal features [B, dim] (FLUX scales t by 1000)."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32, device=t.device) / half)  # [half]
    args = (t.float() * time_factor)[:, None] * freqs[None]  # [B, half]
    return torch.cat([torch.cos(args), torch.sin(args)], -1)  # [B, dim]


class MLPEmbedder(nn.Module):
    def __init__(self, in_dim: int, hidden: int):
        super().__init__()
        self.in_layer, self.out_layer = nn.Linear(in_dim, hidden), nn.Linear(hidden, hidden)

    def forward(self, x: Tensor) -> Tensor:
        return self.out_layer(F.silu(self.in_layer(x)))


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float = 1e-6):
        super().__init__()
        self.scale, self.eps = nn.Parameter(torch.ones(dim)), eps

    def forward(self, x: Tensor) -> Tensor:
        x32 = x.float()
        return (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)).to(x.dtype) * self.scale


class QKNorm(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.query_norm, self.key_norm = RMSNorm(dim), RMSNorm(dim)

    def forward(self, q: Tensor, k: Tensor) -> tuple[Tensor, Tensor]:
        return self.query_norm(q), self.key_norm(k)


class Modulation(nn.Module):
    """AdaLN from the timestep vector: `count` x (shift, scale, gate), each [B, 1, hidden]."""

    def __init__(self, hidden: int, count: int):
        super().__init__()
        self.count = count
        self.lin = nn.Linear(hidden, 3 * count * hidden)

    def forward(self, vec: Tensor) -> list[tuple[Tensor, Tensor, Tensor]]:
        out = self.lin(F.silu(vec))[:, None].chunk(3 * self.count, dim=-1)  # 3*count x [B, 1, hidden]
        return [tuple(out[3 * i: 3 * i + 3]) for i in range(self.count)]  # type: ignore[misc]


def modulate(x: Tensor, shift: Tensor, scale: Tensor) -> Tensor:
    return (1 + scale) * x + shift


def split_heads(x: Tensor, heads: int) -> Tensor:
    """[B, N, 3*H*D] -> [3, B, H, N, D]."""
    return x.unflatten(-1, (3, heads, -1)).permute(2, 0, 3, 1, 4)


class StreamParams(nn.Module):
    """The per-stream weights of a double block (FLUX keeps one set for text, one for image)."""

    def __init__(self, hidden: int, heads: int, mlp_ratio: float):
        super().__init__()
        mlp = int(hidden * mlp_ratio)
        self.mod = Modulation(hidden, 2)
        self.norm1 = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.norm = QKNorm(hidden // heads)
        self.proj = nn.Linear(hidden, hidden)
        self.norm2 = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(hidden, mlp), nn.GELU(approximate="tanh"), nn.Linear(mlp, hidden))


class DoubleStreamBlock(nn.Module):
    """Text and image streams with their own weights, joint attention over [txt, img]."""

    def __init__(self, hidden: int, heads: int, mlp_ratio: float):
        super().__init__()
        self.heads = heads
        self.img, self.txt = StreamParams(hidden, heads, mlp_ratio), StreamParams(hidden, heads, mlp_ratio)

    def _qkv(self, s: StreamParams, x: Tensor, shift: Tensor, scale: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        q, k, v = split_heads(s.qkv(modulate(s.norm1(x), shift, scale)), self.heads)  # [B, H, n, D] x3
        q, k = s.norm(q, k)
        return q, k, v

    def forward(self, img: Tensor, txt: Tensor, vec: Tensor, cos: Tensor, sin: Tensor,
                mask: Tensor) -> tuple[Tensor, Tensor]:
        (i_sh1, i_sc1, i_g1), (i_sh2, i_sc2, i_g2) = self.img.mod(vec)
        (t_sh1, t_sc1, t_g1), (t_sh2, t_sc2, t_g2) = self.txt.mod(vec)
        iq, ik, iv = self._qkv(self.img, img, i_sh1, i_sc1)  # [B, H, Ni, D] x3
        tq, tk, tv = self._qkv(self.txt, txt, t_sh1, t_sc1)  # [B, H, Nt, D] x3
        q, k, v = torch.cat((tq, iq), 2), torch.cat((tk, ik), 2), torch.cat((tv, iv), 2)  # [B, H, N, D]
        attn = attention(q, k, v, cos, sin, mask)  # [B, N, hidden]
        n_txt = txt.shape[1]
        t_attn, i_attn = attn[:, :n_txt], attn[:, n_txt:]  # [B, Nt, hidden], [B, Ni, hidden]
        img = img + i_g1 * self.img.proj(i_attn)
        img = img + i_g2 * self.img.mlp(modulate(self.img.norm2(img), i_sh2, i_sc2))  # [B, Ni, hidden]
        txt = txt + t_g1 * self.txt.proj(t_attn)
        txt = txt + t_g2 * self.txt.mlp(modulate(self.txt.norm2(txt), t_sh2, t_sc2))  # [B, Nt, hidden]
        return img, txt


class SingleStreamBlock(nn.Module):
    """One stream over the joint sequence; attention and MLP in parallel (FLUX single block)."""

    def __init__(self, hidden: int, heads: int, mlp_ratio: float):
        super().__init__()
        self.heads, self.hidden, self.mlp_hidden = heads, hidden, int(hidden * mlp_ratio)
        self.linear1 = nn.Linear(hidden, 3 * hidden + self.mlp_hidden)
        self.linear2 = nn.Linear(hidden + self.mlp_hidden, hidden)
        self.norm = QKNorm(hidden // heads)
        self.pre_norm = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.mod = Modulation(hidden, 1)

    def forward(self, x: Tensor, vec: Tensor, cos: Tensor, sin: Tensor, mask: Tensor) -> Tensor:
        ((shift, scale, gate),) = self.mod(vec)
        h = self.linear1(modulate(self.pre_norm(x), shift, scale))  # [B, N, 3*hidden + mlp]
        qkv, mlp = h[..., : 3 * self.hidden], h[..., 3 * self.hidden:]
        q, k, v = split_heads(qkv, self.heads)  # [B, H, N, D] x3
        q, k = self.norm(q, k)
        attn = attention(q, k, v, cos, sin, mask)  # [B, N, hidden]
        out = self.linear2(torch.cat((attn, F.gelu(mlp, approximate="tanh")), -1))  # [B, N, hidden]
        return x + gate * out


class LastLayer(nn.Module):
    def __init__(self, hidden: int, out_dim: int):
        super().__init__()
        self.norm_final = nn.LayerNorm(hidden, elementwise_affine=False, eps=1e-6)
        self.linear = nn.Linear(hidden, out_dim)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(hidden, 2 * hidden))

    def forward(self, x: Tensor, vec: Tensor) -> Tensor:
        shift, scale = self.adaLN_modulation(vec)[:, None].chunk(2, dim=-1)  # [B, 1, hidden] x2
        return self.linear(modulate(self.norm_final(x), shift, scale))  # [B, Ni, out_dim]


class SeamHead(nn.Module):
    """Convolutional unpatchify for the main tokens: two 3x3 convolutions over the pixels of the image
    the main tokens' patches form, added to the per-token linear output, so pixels on both sides of a
    token border are predicted together (no 8x8 seams). Main tokens are the first image rows in raster
    order (CONTRACTS 2): the grid width comes from their position ids, and each token gathers its 8
    neighbours' patches (zeros outside the image), so the graph needs no data-dependent shapes (ONNX
    with dynamic token counts). The last convolution starts at zero: the head starts as the identity."""

    def __init__(self, token_size: int, channels: int = 3, width: int = 16):
        super().__init__()
        self.P, self.C = token_size, channels
        self.conv1 = nn.Conv2d(channels, width, 3)
        self.conv2 = nn.Conv2d(width, channels, 3)

    def forward(self, out: Tensor, pos: Tensor, is_main: Tensor) -> Tensor:
        """out [B, Ni, P*P*C], pos int64 [B, Ni, 3], is_main bool [B, Ni] -> [B, Ni, P*P*C].
        Only the first half of the rows can be main tokens (the layout image has as many): the convolutions
        run there, a slice by a shape (dynamic in ONNX, static per bucket under torch.compile)."""
        rest = out[:, (out.shape[1] + 1) // 2:]
        out, pos, is_main = (x[:, : (x.shape[1] + 1) // 2] for x in (out, pos, is_main))
        B, Ni, Pd = out.shape
        P, C = self.P, self.C
        main = is_main.to(pos.dtype)  # [B, Ni]
        row, col = pos[..., 1], pos[..., 2]  # [B, Ni]
        H = (row * main).amax(1, keepdim=True) + 1  # [B, 1] main grid size
        W = (col * main).amax(1, keepdim=True) + 1
        idx = torch.arange(Ni, device=out.device)[None]  # [1, Ni]
        cells, oks = [], []
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                ok = (row + dr >= 0) & (row + dr < H) & (col + dc >= 0) & (col + dc < W) & is_main  # [B, Ni]
                cells.append(torch.where(ok, idx + dr * W + dc, torch.zeros_like(idx + dr * W)))
                oks.append(ok)
        nb = torch.stack(cells, 2).clamp(0, Ni - 1)  # [B, Ni, 9]
        okf = torch.stack(oks, 2).to(out.dtype)  # [B, Ni, 9]
        g = torch.gather(out[:, :, None, :].expand(B, Ni, 9, Pd), 1, nb[..., None].expand(B, Ni, 9, Pd))
        g = g * okf[..., None]  # [B, Ni, 9, Pd], zeros beyond the image
        canvas = g.reshape(B * Ni, 3, 3, P, P, C).permute(0, 5, 1, 3, 2, 4).reshape(B * Ni, C, 3 * P, 3 * P)
        crop = canvas[:, :, P - 2: 2 * P + 2, P - 2: 2 * P + 2]  # [B*Ni, C, P+4, P+4]
        fix = self.conv2(F.gelu(self.conv1(crop)))  # [B*Ni, C, P, P]
        fix = fix.permute(0, 2, 3, 1).reshape(B, Ni, Pd)  # token layout (py*P + px)*C + c
        return torch.cat((out + fix * is_main[..., None].to(out.dtype), rest), 1)
