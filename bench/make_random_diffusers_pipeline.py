"""Writes a diffusers pipeline folder with random weights and the public SD 2.1 architecture (UNet, OpenCLIP-H
text encoder, VAE, Euler scheduler with v-prediction), for `genbench run --backend diffusers --weights DIR`
where no real checkpoint can be downloaded. Needs diffusers and transformers (not genbench dependencies).
Usage: DIFFUSERS_SRC=<diffusers>/src python3 bench/make_random_diffusers_pipeline.py OUT_DIR
"""
import json
import os
import sys

if os.environ.get("DIFFUSERS_SRC"):
    sys.path.insert(0, os.environ["DIFFUSERS_SRC"])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel  # noqa: E402
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer  # noqa: E402

from unet_vs_diffusers import SD21  # noqa: E402


def tokenizer(folder):
    """A minimal CLIP BPE vocabulary (the benchmark feeds its own ids; the pipeline folder needs a tokenizer)."""
    os.makedirs(folder, exist_ok=True)
    vocab = {"<|startoftext|>": 49406, "<|endoftext|>": 49407, "!": 0}
    with open(os.path.join(folder, "vocab.json"), "w") as f:
        json.dump(vocab, f)
    with open(os.path.join(folder, "merges.txt"), "w") as f:
        f.write("#version: 0.2\n")
    return CLIPTokenizer(os.path.join(folder, "vocab.json"), os.path.join(folder, "merges.txt"))


def main(out):
    torch.manual_seed(0)
    with torch.device("cuda" if torch.cuda.is_available() else "cpu"):
        unet = UNet2DConditionModel(**SD21)
        text = CLIPTextModel(CLIPTextConfig(vocab_size=49408, hidden_size=1024, intermediate_size=4096, num_hidden_layers=23,
                                            num_attention_heads=16, max_position_embeddings=77, hidden_act="gelu",
                                            projection_dim=512))
        vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(128, 256, 512, 512),
                            down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4,
                            layers_per_block=2, sample_size=768)
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       prediction_type="v_prediction", timestep_spacing="leading", steps_offset=1)
    pipe = StableDiffusionPipeline(vae=vae.half(), text_encoder=text.half(), tokenizer=tokenizer(os.path.join(out, ".tok")),
                                   unet=unet.half(), scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    pipe.save_pretrained(out)
    print("wrote", out, {k: sum(p.numel() for p in m.parameters()) for k, m in
                         (("unet", unet), ("text_encoder", text), ("vae", vae))})


if __name__ == "__main__":
    main(sys.argv[1])
