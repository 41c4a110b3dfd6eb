"""``python -m lda_vi``: the same command line as the ``lda-vi`` script."""

from lda_vi.cli import main

if __name__ == "__main__":
    main()
