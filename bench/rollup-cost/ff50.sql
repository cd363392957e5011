ALTER TABLE rollup_60_20261130 SET (fillfactor = 50); ALTER TABLE rollup_3600_20261105 SET (fillfactor = 50); ALTER TABLE series SET (fillfactor = 50);
