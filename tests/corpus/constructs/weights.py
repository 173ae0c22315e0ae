PALIGEMMA = "gs://acme-bucket/checkpoints/paligemma_224.npz"
TOKENIZER = "gs://acme-bucket/tokenizers/spm.model"
BUNDLE = "WAV2VEC2_ASR_BASE_960H"
CHECKPOINT_DIR = "/home/$USER/.cache/acme/checkpoints/acme_base"
