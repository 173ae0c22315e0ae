// Family and prefix filters: a selector tested against a start or a pattern, never one model.
export function family(model: string): string {
  if (/^gpt-4/.test(model)) return "gpt";
  if (/claude-3-.*/.test(model)) return "claude";
  if (model.startsWith("o1")) return "o-series";
  if (/^gemini-2\.5-.+$/.test(model)) return "gemini";
  return "other";
}
