class Models {
  static final String CHAT = "gpt-4.1-mini";
  enum Embed { SMALL("text-embedding-3-small"); Embed(String id) {} }
}
