"""The identity network: a shared encoder embeds the reference cutout and the crop found in the
image (both 4 x 32 x 32: RGB times mask, mask; same frame, see packages/bench/src/ident/net-input.ts)
into 8 x 8 maps of D-dimensional features; a 1 x 1 head compares them position by position
([a * b, |a - b|]) and pools under the reference mask to one logit (genuine vs not)."""
from __future__ import annotations

import torch
from torch import nn
import torch.nn.functional as F

SIDE = 32
CHANNELS = 4


def _conv(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride=stride, padding=1), nn.GroupNorm(4, cout), nn.ReLU())


class Encoder(nn.Module):
    def __init__(self, width: int = 32, dim: int = 64) -> None:
        super().__init__()
        self.net = nn.Sequential(
            _conv(CHANNELS, width // 2 + 8),
            _conv(width // 2 + 8, width, 2),  # 16 x 16
            _conv(width, width),
            _conv(width, dim, 2),  # 8 x 8
            nn.Conv2d(dim, dim, 3, padding=1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.net(x), dim=1)


class IdentityNet(nn.Module):
    def __init__(self, width: int = 32, dim: int = 64, hidden: int = 64) -> None:
        super().__init__()
        self.encoder = Encoder(width, dim)
        self.head = nn.Sequential(nn.Conv2d(2 * dim, hidden, 1), nn.ReLU(), nn.Conv2d(hidden, hidden, 1), nn.ReLU())
        self.out = nn.Linear(hidden, 1)

    def compare(self, fr: torch.Tensor, fc: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Logits from encoded references `fr` and crops `fc` (N, D, 8, 8), reference masks (N, 1, 32, 32)."""
        h = self.head(torch.cat([fr * fc, (fr - fc).abs()], dim=1))
        m = F.avg_pool2d(mask, SIDE // fr.shape[-1])
        pooled = (h * m).sum(dim=(2, 3)) / m.sum(dim=(2, 3)).clamp_min(1e-3)
        return self.out(pooled).squeeze(1)

    def forward(self, reference: torch.Tensor, crop: torch.Tensor) -> torch.Tensor:
        return self.compare(self.encoder(reference), self.encoder(crop), reference[:, 3:4])
