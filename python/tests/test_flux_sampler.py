"""Pieces of one FLUX generation with the official behaviour the released weights depend on: mask binarising and
mid-grey background before VAE encoding, the prompt template, the shifted schedule, seeded noise, cancel."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from PIL import Image

pytest.importorskip("diffusers")

from flux_helpers import ensure_tiny_flux, standard_job  # noqa: E402

from contextgen_flux.errors import WorkerError  # noqa: E402
from contextgen_flux.job import masked_pixels, read_job  # noqa: E402
from contextgen_flux.loader import TEXT_TOKENS, TOKEN_SIZE, load_model  # noqa: E402
from contextgen_flux.model_files import read_model_json  # noqa: E402
from contextgen_flux.prompt import kontext_edit_prompt  # noqa: E402
from contextgen_flux.sampler import Cancelled, generate, initial_noise, set_shifted_timesteps  # noqa: E402


@pytest.fixture(scope="module")
def model():
    return load_model(read_model_json(ensure_tiny_flux()), device="cpu")


def test_alpha_is_binarised_at_half_and_the_background_is_mid_grey(tmp_path):
    rgba = np.zeros((16, 32, 4), np.uint8)
    rgba[..., :3] = 255
    rgba[:, :8, 3] = 127  # below 0.5: background
    rgba[:, 8:16, 3] = 128  # at 0.5: kept
    rgba[:, 16:, 3] = 255
    Image.fromarray(rgba, "RGBA").save(tmp_path / "r.png")
    px = masked_pixels(tmp_path / "r.png", "r.png", (32, 16), need_alpha=True)
    assert px.shape == (3, 16, 32)
    assert np.all(px[:, :, :8] == 0) and np.all(px[:, :, 8:] == 1.0)
    Image.fromarray(rgba[..., :3], "RGB").save(tmp_path / "l.png")  # a layout without alpha is fully opaque
    assert np.all(masked_pixels(tmp_path / "l.png", "l.png", (32, 16), need_alpha=False) == 1.0)
    with pytest.raises(WorkerError, match="needs a mask"):
        masked_pixels(tmp_path / "l.png", "l.png", (32, 16), need_alpha=True)
    rgba[..., 3] = 0
    Image.fromarray(rgba, "RGBA").save(tmp_path / "e.png")
    with pytest.raises(WorkerError, match="empty"):
        masked_pixels(tmp_path / "e.png", "e.png", (32, 16), need_alpha=True)


def test_the_official_prompt_template():
    p = kontext_edit_prompt("A photo of a cat next to a dog")
    assert p.startswith("Modify the image to depict 'a cat next to a dog'. While preserving the original layout")
    assert p.endswith("Ensure the result appears natural and visually harmonious.")
    assert "'an image of" not in kontext_edit_prompt("an image of x")


@pytest.mark.parametrize("n_main, steps", [(64, 2), (1024, 28), (2304, 28), (4096, 28)])
def test_schedule_is_the_dynamically_shifted_linspace(model, n_main, steps):
    sched = model.pipe.scheduler
    mu = set_shifted_timesteps(sched, n_main, steps, "cpu")
    assert mu == pytest.approx(0.5 + (1.15 - 0.5) * (n_main - 256) / (4096 - 256))
    t = np.linspace(1.0, 1 / steps, steps)
    expected = math.e ** mu / (math.e ** mu + (1 / t - 1))
    np.testing.assert_allclose(sched.sigmas[:-1].numpy(), expected, rtol=1e-5)
    assert sched.sigmas[-1] == 0 and len(sched.timesteps) == steps


def test_noise_depends_only_on_the_seed(model, tmp_path):
    job = read_job(str(standard_job(tmp_path / "a", seed=11)), TOKEN_SIZE, TEXT_TOKENS)
    a = initial_noise(model.pipe, job, torch.float32, "cpu")
    assert a.shape == (1, 64, 16)
    assert torch.equal(a, initial_noise(model.pipe, job, torch.float32, "cpu"))
    other = read_job(str(standard_job(tmp_path / "b", seed=12)), TOKEN_SIZE, TEXT_TOKENS)
    assert not torch.equal(a, initial_noise(model.pipe, other, torch.float32, "cpu"))


def test_defaults_are_28_steps_and_guidance_3_5(tmp_path):
    d = standard_job(tmp_path / "d")
    import json

    doc = json.loads((d / "job.json").read_text())
    del doc["steps"], doc["guidance"]
    (d / "job.json").write_text(json.dumps(doc))
    job = read_job(str(d), TOKEN_SIZE, TEXT_TOKENS)
    assert (job.steps, job.guidance) == (28, 3.5)


def test_cancel_stops_between_steps(model, tmp_path):
    job = read_job(str(standard_job(tmp_path / "c", steps=5)), TOKEN_SIZE, TEXT_TOKENS)
    steps = []
    with pytest.raises(Cancelled) as e:
        generate(model, job, cancelled=lambda: len(steps) >= 2, on_step=lambda s, n, p: steps.append(s))
    assert e.value.step == 2 and steps == [1, 2]


def test_previews_and_result_are_images_of_the_canvas(model, tmp_path):
    job = read_job(str(standard_job(tmp_path / "p", steps=2, preview_every=1)), TOKEN_SIZE, TEXT_TOKENS)
    previews = []
    image, timings = generate(model, job, on_step=lambda s, n, p: previews.append(p))
    assert image.size == (128, 128) and [p.size for p in previews] == [(128, 128)] * 2
    assert set(timings) == {"prepareSeconds", "denoiseSeconds", "decodeSeconds", "totalSeconds"}


def test_without_references_the_worker_equals_stock_flux_kontext(model, tmp_path):
    """With no references the sequence is text | main | layout with ids (1, y, x) and every mask is all-true: exactly
    stock FluxKontextPipeline editing the layout image. Same noise, same prompt: the images must agree, which checks
    prompt encoding, VAE encoding (mean), ids, dynamic shift, guidance, Euler and decoding independently."""
    from flux_helpers import write_job

    d = write_job(tmp_path / "k", 128, 96, [], [], prompt="a photo of a red sofa", seed=3, steps=3)
    rgb = np.random.default_rng(0).integers(0, 256, (96, 128, 3), dtype=np.uint8)
    Image.fromarray(rgb, "RGB").save(d / "layout.png")
    job = read_job(str(d), TOKEN_SIZE, TEXT_TOKENS)
    ours, _ = generate(model, job)
    stock = model.pipe(image=Image.fromarray(rgb, "RGB"), prompt=kontext_edit_prompt(job.prompt), height=96,
                       width=128, num_inference_steps=3, guidance_scale=3.5, max_area=128 * 96, _auto_resize=False,
                       latents=initial_noise(model.pipe, job, torch.float32, "cpu"), output_type="np").images[0]
    stock_u8 = (stock * 255).round().astype(np.int16)
    diff = np.abs(np.asarray(ours).astype(np.int16) - stock_u8).max()
    assert diff <= 1, diff
    assert np.asarray(ours).std() > 0
