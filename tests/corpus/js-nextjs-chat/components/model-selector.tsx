"use client";
import { chatModels } from "@/lib/models";

export function ModelSelector({ model }: { model: string }) {
  // e.g. placeholder="gpt-4o" is only a hint
  const pattern = /model:\s*"gpt-4"/g;
  return (
    <select defaultValue={model} aria-label="Model">
      {chatModels.map((m) => (
        <option key={m.id} value={m.id}>{m.label}</option>
      ))}
    </select>
  );
}
