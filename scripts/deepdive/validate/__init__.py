"""`deepdive validate`: strict checks of every manifest the site shows.

findings (data) <- yamlcheck (files) <- kube / crds (schemas, compiled once) <- rules
(example sets) <- engine (one Report) -> render (text / JSON) <- command (argparse).
"""
