"""lda_vi.io"""
