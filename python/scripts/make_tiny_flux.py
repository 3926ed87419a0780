"""Make a tiny FLUX.1-Kontext diffusers folder + ContextGen-style LoRA with random weights (no downloads).

    .venv/bin/python python/scripts/make_tiny_flux.py .cache/tiny-flux [--force]

Same structure as the published model (PUBLISHED-MODEL.md "Testing without weights"): guidance-embedded
transformer with 2 double + 4 single blocks, 8x VAE (so 16 px per token still holds), tiny CLIP and T5 with
locally built word-level tokenizers (77 / 512), the Kontext scheduler config, and a LoRA over the official
module list saved as `lora/transformer_00100.safetensors` by the pipeline's own `save_lora_weights`. Writes
`model.json` (`trained: false`) next to them. Idempotent: an existing complete folder is left alone.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

LORA_FILE = "transformer_00100.safetensors"
VERSION = 1  # bump when the tiny folder changes: older caches are rebuilt
WORDS = ("modify the image to depict while preserving original layout key object features and human identities "
         "including facial details adjust element poses for better composition naturally fill in background ensure "
         "result appears natural visually harmonious a an of on with cat dog red blue green sofa table man woman "
         "sitting standing next photo picture").split()


def lora_targets(n_double: int, n_single: int) -> list[str]:
    """The published adapter's module list (PUBLISHED-MODEL.md "Loading"): 1 + 6 per double + 6 per single."""
    out = ["x_embedder"]
    for i in range(n_double):
        out += [f"transformer_blocks.{i}.{m}" for m in ("norm1.linear", "attn.to_q", "attn.to_k", "attn.to_v",
                                                          "attn.to_out.0", "ff.net.2")]
    for i in range(n_single):
        out += [f"single_transformer_blocks.{i}.{m}" for m in ("norm.linear", "proj_mlp", "proj_out", "attn.to_q",
                                                                 "attn.to_k", "attn.to_v")]
    return out


def word_tokenizer(max_length: int, kind: str):
    from tokenizers import Tokenizer, models, pre_tokenizers, normalizers
    from transformers import PreTrainedTokenizerFast

    specials = ["<pad>", "<unk>", "<s>", "</s>"]
    vocab = {w: i for i, w in enumerate(specials + sorted(set(WORDS)))}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    if kind == "clip":
        from tokenizers import processors
        tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 2),
                                                                                                 ("</s>", 3)])
    else:  # T5: eos only
        from tokenizers import processors
        tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 3)])
    return PreTrainedTokenizerFast(tokenizer_object=tok, model_max_length=max_length, pad_token="<pad>",
                                   unk_token="<unk>", bos_token="<s>", eos_token="</s>"), len(vocab)


def build(out: Path, seed: int = 0) -> None:
    import torch
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, FluxKontextPipeline, FluxTransformer2DModel
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict
    from transformers import CLIPTextConfig, CLIPTextModel, T5Config, T5EncoderModel

    torch.manual_seed(seed)
    n_double, n_single = 2, 4
    transformer = FluxTransformer2DModel(patch_size=1, in_channels=16, num_layers=n_double,
                                         num_single_layers=n_single, attention_head_dim=16, num_attention_heads=2,
                                         joint_attention_dim=32, pooled_projection_dim=32, guidance_embeds=True,
                                         axes_dims_rope=(4, 4, 8))
    vae = AutoencoderKL(in_channels=3, out_channels=3, down_block_types=["DownEncoderBlock2D"] * 4,
                        up_block_types=["UpDecoderBlock2D"] * 4, block_out_channels=[4, 4, 4, 4],
                        layers_per_block=1, latent_channels=4, norm_num_groups=1, sample_size=32,
                        scaling_factor=0.3611, shift_factor=0.1159, use_quant_conv=False, use_post_quant_conv=False)
    clip_tok, clip_vocab = word_tokenizer(77, "clip")
    t5_tok, t5_vocab = word_tokenizer(512, "t5")
    clip = CLIPTextModel(CLIPTextConfig(vocab_size=clip_vocab, hidden_size=32, intermediate_size=37,
                                        num_hidden_layers=2, num_attention_heads=4, max_position_embeddings=77,
                                        projection_dim=32, pad_token_id=0, bos_token_id=2, eos_token_id=3))
    t5 = T5EncoderModel(T5Config(vocab_size=t5_vocab, d_model=32, d_ff=37, d_kv=8, num_layers=2, num_heads=4,
                                 relative_attention_num_buckets=8, pad_token_id=0, eos_token_id=3,
                                 decoder_start_token_id=0))
    scheduler = FlowMatchEulerDiscreteScheduler(num_train_timesteps=1000, shift=3.0, use_dynamic_shifting=True,
                                                base_shift=0.5, max_shift=1.15, base_image_seq_len=256,
                                                max_image_seq_len=4096)
    pipe = FluxKontextPipeline(scheduler=scheduler, vae=vae, text_encoder=clip, tokenizer=clip_tok,
                               text_encoder_2=t5, tokenizer_2=t5_tok, transformer=transformer)
    pipe.save_pretrained(out / "diffusers")

    rank = 4
    transformer.add_adapter(LoraConfig(r=rank, lora_alpha=rank, target_modules=lora_targets(n_double, n_single),
                                       init_lora_weights=False))  # random A and B: the LoRA changes the output
    layers = get_peft_model_state_dict(transformer)
    FluxKontextPipeline.save_lora_weights(out / "lora", transformer_lora_layers=layers, weight_name=LORA_FILE)
    manifest = {
        "format": "contextgen-model/1",
        "kind": "flux-kontext-lora",
        "name": "tiny-flux-random",
        "trained": False,
        "description": "Tiny random FLUX.1-Kontext stand-in (2 double + 4 single blocks) with a random LoRA, "
                       "made by python/scripts/make_tiny_flux.py for CPU tests. Its images are noise.",
        "tokenSize": 16,
        "flux": {"diffusers": "diffusers", "lora": "lora", "dtype": "float32", "profile": "full"},
        "provenance": {"script": "python/scripts/make_tiny_flux.py", "version": VERSION, "seed": seed},
    }
    (out / "model.json").write_text(json.dumps(manifest, indent=2) + "\n")


def complete(out: Path) -> bool:
    try:
        version = json.loads((out / "model.json").read_text())["provenance"]["version"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return version == VERSION and (out / "lora" / LORA_FILE).is_file() \
        and (out / "diffusers" / "model_index.json").is_file()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path, help="folder to write (e.g. .cache/tiny-flux)")
    ap.add_argument("--force", action="store_true", help="rebuild even when the folder is complete")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    out: Path = args.out.resolve()
    if complete(out) and not args.force:
        print(f"{out}: already complete", file=sys.stderr)
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=out.name + ".tmp-", dir=out.parent))  # unique: parallel test runs may race
    try:
        build(tmp, args.seed)
        if args.force:
            shutil.rmtree(out, ignore_errors=True)
        elif complete(out):  # another process finished first: keep its folder, readers may be using it
            print(f"{out}: already complete", file=sys.stderr)
            return 0
        else:
            shutil.rmtree(out, ignore_errors=True)  # an incomplete leftover
        try:
            tmp.rename(out)  # atomic: a crash mid-build never leaves a half folder that `complete` accepts
        except OSError:
            if not complete(out):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{out}: written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
