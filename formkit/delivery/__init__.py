"""What leaves formkit: validation reports and their summary, mail, PDF conversion, archive copies, meeting packs, and the check of every template before any of it is made."""
