"""What leaves formkit: validation reports, mail, PDF conversion, archive copies and meeting packs."""
