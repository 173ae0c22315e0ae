"""Publishes a trained model; nothing here is a dependency."""

import argparse

from huggingface_hub import HfApi, snapshot_download


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model-dir", default="outputs/final", help="e.g. Qwen/Qwen2.5-7B style folder")
    p.add_argument("--repo", default="acme/textkit-classifier", help="where to push (hub id)")
    args = p.parse_args()
    api = HfApi()
    api.create_repo(args.repo, exist_ok=True)
    api.upload_folder(folder_path=args.model_dir, repo_id=args.repo)
    snapshot_download(repo_id="acme/eval-prompts", repo_type="dataset", local_dir="data/")
    print("pushed to", args.repo, "- compare with gpt-4o")


if __name__ == "__main__":
    main()
