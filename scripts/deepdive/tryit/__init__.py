"""`deepdive tryit`: the pages' Try it blocks as data, compared with tolerance, run on kind.

model    what a page's Try it blocks are: commands, expected output, how to compare
extract  read them back from the Markdown (through the macros, so paths are resolved)
compare  pure: expected output against what a command printed, with declared tolerances
guard    the kube context the runner may touch: the kind cluster of the set-up page
run      owns processes: one shell session per page, bounded, clean-up always
command  argument handling for `deepdive tryit`
"""
