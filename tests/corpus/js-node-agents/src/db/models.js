import mongoose from "mongoose";

const conversationSchema = new mongoose.Schema({
  model: { type: String, default: "gpt-4o-mini" },
  title: String,
});

export const Conversation = mongoose.model("Conversation", conversationSchema);
export const modelName = "Conversation";
export const MODEL_DIR = "./models";
