"""lda_vi.engine"""
