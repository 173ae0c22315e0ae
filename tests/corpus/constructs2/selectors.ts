export function limits(model: string): number {
  switch (model) {
    case "o1":
      return 200000;
    case "o3-mini":
      return 200000;
  }
  if (model === "gpt-4.1-nano") return 1047576;
  if (/^dall-e-3$/.test(model)) return 4000;
  if (/^(?:gpt-image-1|gpt-image-1-mini)$/.test(model)) return 32000;
  if (new RegExp("^claude-opus-4-1$").test(model)) return 200000;
  return 8192;
}
