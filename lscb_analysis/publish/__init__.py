"""Publishing the board pack: the plan, the runner, HTML export, the index and data-quality pages, kernel start-up."""
