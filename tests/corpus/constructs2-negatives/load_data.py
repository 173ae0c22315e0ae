"""Dataset ids passed to dataset loaders and downloads."""
from datasets import load_dataset
from huggingface_hub import hf_hub_download, snapshot_download

ds = load_dataset("tatsu-lab/alpaca-7b")
files = snapshot_download(repo_id="lerobot/aloha_sim_7b", repo_type="dataset")
one = hf_hub_download(repo_id="acme/eval-set-13b", filename="x.json", repo_type="dataset")
data_files = {"train": "acme/train-13b.json"}
DATASET_ID = "acme/instructions-7b"
