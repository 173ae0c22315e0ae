const MODEL: &str = "mistral-small-latest";
