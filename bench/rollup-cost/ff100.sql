ALTER TABLE rollup_60_20261130 RESET (fillfactor); ALTER TABLE rollup_3600_20261105 RESET (fillfactor); ALTER TABLE series RESET (fillfactor); ALTER TABLE resource_span SET (fillfactor = 100);
