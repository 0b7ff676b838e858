"""JupyterLab's server settings for `make lab`: notebooks are saved without their outputs, so running the
audit notebooks never changes the files tracked in git (the outputs hold report text and widget state)."""


def strip_outputs(model, **_kwargs):
    """Before a notebook is written: no outputs, no execution counts, no saved widget state."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    notebook = model["content"]
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    notebook.get("metadata", {}).pop("widgets", None)


c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file
c.FileContentsManager.pre_save_hook = strip_outputs
