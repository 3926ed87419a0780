import math

import torch

from contextgen_train.losses import dpo_loss, noisy, per_sample_mse


def test_flow_matching_target_is_eps_minus_x0():
    x0, eps = torch.randn(2, 4, 3), torch.randn(2, 4, 3)
    t = torch.tensor([0.0, 1.0])
    xt = noisy(x0, eps, t)
    assert torch.equal(xt[0], x0[0]) and torch.equal(xt[1], eps[1])
    assert per_sample_mse(eps - x0, x0, eps).abs().max() == 0


def test_dpo_loss_value_and_sign():
    # policy improved on the winner by 0.002 more than the reference, and worsened on the loser by 0.001
    lw, ll = torch.tensor([0.100]), torch.tensor([0.301])
    lw_ref, ll_ref = torch.tensor([0.102]), torch.tensor([0.300])
    beta = 1000.0
    inside = -0.5 * beta * ((0.100 - 0.301) - (0.102 - 0.300))  # = +1.5
    expected = -math.log(1 / (1 + math.exp(-inside)))
    got = dpo_loss(lw, ll, lw_ref, ll_ref, beta)
    assert abs(float(got) - expected) < 1e-4
    assert float(got) < math.log(2), "preferring the ground truth lowers the loss below log 2"
    worse = dpo_loss(ll, lw, ll_ref, lw_ref, beta)  # roles swapped: the policy prefers the layout copy
    assert float(worse) > math.log(2)
    assert abs(float(dpo_loss(lw, ll, lw, ll, beta)) - math.log(2)) < 1e-6  # policy == reference
