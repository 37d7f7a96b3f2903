-- create: tool schema, mapping table, function, fill of every column, then SET MASK
CREATE SCHEMA IF NOT EXISTS `e``hr`.`rbac` COMMENT 'rbac-tool-schema: holds the salt of the hash mask; managed by rbac, grant nothing here';
CREATE TABLE IF NOT EXISTS `e``hr`.`rbac`.`surrogates` (`policy` STRING NOT NULL, `value` STRING NOT NULL, `surrogate` STRING NOT NULL, `mapped_at` TIMESTAMP NOT NULL);
CREATE OR REPLACE FUNCTION `e``hr`.`clinical`.`mrn'key`(val STRING) RETURNS STRING COMMENT 'rbac-policy:{"policy":"masking","name":"mrn\'key","mask":"surrogate","unmaskedFor":["privacy_officer","etl"],"body":"a96d905e4d230a04230ef7387afdada774de627f9fd486c8162be99646dfe080"}' RETURN CASE WHEN is_account_group_member('privacy_officer') OR is_account_group_member('etl') THEN val ELSE (SELECT max(`surrogate`) FROM `e``hr`.`rbac`.`surrogates` WHERE `policy` = 'mrn\'key' AND `value` = CAST(val AS STRING)) END;
INSERT INTO `e``hr`.`rbac`.`surrogates` (`policy`, `value`, `surrogate`, `mapped_at`) SELECT 'mrn\'key', x.v, lower(replace(uuid(), '-', '')), current_timestamp() FROM (SELECT DISTINCT CAST(`mrn` AS STRING) AS v FROM `e``hr`.`clinical`.`patients` WHERE `mrn` IS NOT NULL) x WHERE NOT EXISTS (SELECT 1 FROM `e``hr`.`rbac`.`surrogates` m WHERE m.`policy` = 'mrn\'key' AND m.`value` = x.v);
INSERT INTO `e``hr`.`rbac`.`surrogates` (`policy`, `value`, `surrogate`, `mapped_at`) SELECT 'mrn\'key', x.v, lower(replace(uuid(), '-', '')), current_timestamp() FROM (SELECT DISTINCT CAST(`a``b` AS STRING) AS v FROM `e``hr`.`clinical`.`été` WHERE `a``b` IS NOT NULL) x WHERE NOT EXISTS (SELECT 1 FROM `e``hr`.`rbac`.`surrogates` m WHERE m.`policy` = 'mrn\'key' AND m.`value` = x.v);
ALTER TABLE `e``hr`.`clinical`.`patients` ALTER COLUMN `mrn` SET MASK `e``hr`.`clinical`.`mrn'key`;
ALTER TABLE `e``hr`.`clinical`.`été` ALTER COLUMN `a``b` SET MASK `e``hr`.`clinical`.`mrn'key`;

-- alter hash -> surrogate in place (the salt's schema there): mapping table, function, fill guarded by the exemption
CREATE TABLE IF NOT EXISTS `e``hr`.`rbac`.`surrogates` (`policy` STRING NOT NULL, `value` STRING NOT NULL, `surrogate` STRING NOT NULL, `mapped_at` TIMESTAMP NOT NULL);
CREATE OR REPLACE FUNCTION `e``hr`.`clinical`.`mrn'key`(val STRING) RETURNS STRING COMMENT 'rbac-policy:{"policy":"masking","name":"mrn\'key","mask":"surrogate","unmaskedFor":["privacy_officer","etl"],"body":"a96d905e4d230a04230ef7387afdada774de627f9fd486c8162be99646dfe080"}' RETURN CASE WHEN is_account_group_member('privacy_officer') OR is_account_group_member('etl') THEN val ELSE (SELECT max(`surrogate`) FROM `e``hr`.`rbac`.`surrogates` WHERE `policy` = 'mrn\'key' AND `value` = CAST(val AS STRING)) END;
INSERT INTO `e``hr`.`rbac`.`surrogates` (`policy`, `value`, `surrogate`, `mapped_at`) SELECT 'mrn\'key', x.v, lower(replace(uuid(), '-', '')), current_timestamp() FROM (SELECT DISTINCT CAST(`mrn` AS STRING) AS v FROM `e``hr`.`clinical`.`patients` WHERE `mrn` IS NOT NULL AND (is_account_group_member('privacy_officer') OR is_account_group_member('etl'))) x WHERE NOT EXISTS (SELECT 1 FROM `e``hr`.`rbac`.`surrogates` m WHERE m.`policy` = 'mrn\'key' AND m.`value` = x.v);

-- attach to one more column: fill, then SET MASK
INSERT INTO `e``hr`.`rbac`.`surrogates` (`policy`, `value`, `surrogate`, `mapped_at`) SELECT 'mrn\'key', x.v, lower(replace(uuid(), '-', '')), current_timestamp() FROM (SELECT DISTINCT CAST(`a``b` AS STRING) AS v FROM `e``hr`.`clinical`.`été` WHERE `a``b` IS NOT NULL) x WHERE NOT EXISTS (SELECT 1 FROM `e``hr`.`rbac`.`surrogates` m WHERE m.`policy` = 'mrn\'key' AND m.`value` = x.v);
ALTER TABLE `e``hr`.`clinical`.`été` ALTER COLUMN `a``b` SET MASK `e``hr`.`clinical`.`mrn'key`;

-- drop: detach, drop the function; the mapping keeps its rows
ALTER TABLE `e``hr`.`clinical`.`patients` ALTER COLUMN `mrn` DROP MASK;
DROP FUNCTION IF EXISTS `e``hr`.`clinical`.`mrn'key`;
