-- metastore
GRANT CREATE CATALOG ON METASTORE TO `Data Engineers```
REVOKE CREATE CATALOG ON METASTORE FROM `Data Engineers```
GRANT CREATE CLEAN ROOM ON METASTORE TO `Data Engineers```
REVOKE CREATE CLEAN ROOM ON METASTORE FROM `Data Engineers```
GRANT CREATE CONNECTION ON METASTORE TO `Data Engineers```
REVOKE CREATE CONNECTION ON METASTORE FROM `Data Engineers```
GRANT CREATE EXTERNAL LOCATION ON METASTORE TO `Data Engineers```
REVOKE CREATE EXTERNAL LOCATION ON METASTORE FROM `Data Engineers```
GRANT CREATE EXTERNAL METADATA ON METASTORE TO `Data Engineers```
REVOKE CREATE EXTERNAL METADATA ON METASTORE FROM `Data Engineers```
GRANT CREATE PROVIDER ON METASTORE TO `Data Engineers```
REVOKE CREATE PROVIDER ON METASTORE FROM `Data Engineers```
GRANT CREATE RECIPIENT ON METASTORE TO `Data Engineers```
REVOKE CREATE RECIPIENT ON METASTORE FROM `Data Engineers```
GRANT CREATE SERVICE CREDENTIAL ON METASTORE TO `Data Engineers```
REVOKE CREATE SERVICE CREDENTIAL ON METASTORE FROM `Data Engineers```
GRANT CREATE SHARE ON METASTORE TO `Data Engineers```
REVOKE CREATE SHARE ON METASTORE FROM `Data Engineers```
GRANT CREATE STORAGE CREDENTIAL ON METASTORE TO `Data Engineers```
REVOKE CREATE STORAGE CREDENTIAL ON METASTORE FROM `Data Engineers```
GRANT MANAGE ALLOWLIST ON METASTORE TO `Data Engineers```
REVOKE MANAGE ALLOWLIST ON METASTORE FROM `Data Engineers```
GRANT SET SHARE PERMISSION ON METASTORE TO `Data Engineers```
REVOKE SET SHARE PERMISSION ON METASTORE FROM `Data Engineers```
GRANT USE MARKETPLACE ASSETS ON METASTORE TO `Data Engineers```
REVOKE USE MARKETPLACE ASSETS ON METASTORE FROM `Data Engineers```
GRANT USE PROVIDER ON METASTORE TO `Data Engineers```
REVOKE USE PROVIDER ON METASTORE FROM `Data Engineers```
GRANT USE RECIPIENT ON METASTORE TO `Data Engineers```
REVOKE USE RECIPIENT ON METASTORE FROM `Data Engineers```
GRANT USE SHARE ON METASTORE TO `Data Engineers```
REVOKE USE SHARE ON METASTORE FROM `Data Engineers```
-- database
GRANT USE CATALOG ON CATALOG `e``hr` TO `Data Engineers```
REVOKE USE CATALOG ON CATALOG `e``hr` FROM `Data Engineers```
GRANT CREATE SCHEMA ON CATALOG `e``hr` TO `Data Engineers```
REVOKE CREATE SCHEMA ON CATALOG `e``hr` FROM `Data Engineers```
GRANT APPLY TAG ON CATALOG `e``hr` TO `Data Engineers```
REVOKE APPLY TAG ON CATALOG `e``hr` FROM `Data Engineers```
GRANT BROWSE ON CATALOG `e``hr` TO `Data Engineers```
REVOKE BROWSE ON CATALOG `e``hr` FROM `Data Engineers```
GRANT USE SCHEMA ON CATALOG `e``hr` TO `Data Engineers```
REVOKE USE SCHEMA ON CATALOG `e``hr` FROM `Data Engineers```
GRANT CREATE TABLE ON CATALOG `e``hr` TO `Data Engineers```
REVOKE CREATE TABLE ON CATALOG `e``hr` FROM `Data Engineers```
GRANT CREATE FUNCTION ON CATALOG `e``hr` TO `Data Engineers```
REVOKE CREATE FUNCTION ON CATALOG `e``hr` FROM `Data Engineers```
GRANT CREATE MATERIALIZED VIEW ON CATALOG `e``hr` TO `Data Engineers```
REVOKE CREATE MATERIALIZED VIEW ON CATALOG `e``hr` FROM `Data Engineers```
GRANT CREATE MODEL ON CATALOG `e``hr` TO `Data Engineers```
REVOKE CREATE MODEL ON CATALOG `e``hr` FROM `Data Engineers```
GRANT CREATE VOLUME ON CATALOG `e``hr` TO `Data Engineers```
REVOKE CREATE VOLUME ON CATALOG `e``hr` FROM `Data Engineers```
GRANT EXTERNAL USE SCHEMA ON CATALOG `e``hr` TO `Data Engineers```
REVOKE EXTERNAL USE SCHEMA ON CATALOG `e``hr` FROM `Data Engineers```
GRANT MANAGE ON CATALOG `e``hr` TO `Data Engineers```
REVOKE MANAGE ON CATALOG `e``hr` FROM `Data Engineers```
GRANT EXECUTE ON CATALOG `e``hr` TO `Data Engineers```
REVOKE EXECUTE ON CATALOG `e``hr` FROM `Data Engineers```
GRANT MODIFY ON CATALOG `e``hr` TO `Data Engineers```
REVOKE MODIFY ON CATALOG `e``hr` FROM `Data Engineers```
GRANT READ VOLUME ON CATALOG `e``hr` TO `Data Engineers```
REVOKE READ VOLUME ON CATALOG `e``hr` FROM `Data Engineers```
GRANT REFRESH ON CATALOG `e``hr` TO `Data Engineers```
REVOKE REFRESH ON CATALOG `e``hr` FROM `Data Engineers```
GRANT SELECT ON CATALOG `e``hr` TO `Data Engineers```
REVOKE SELECT ON CATALOG `e``hr` FROM `Data Engineers```
GRANT WRITE VOLUME ON CATALOG `e``hr` TO `Data Engineers```
REVOKE WRITE VOLUME ON CATALOG `e``hr` FROM `Data Engineers```
ALTER CATALOG `e``hr` SET OWNER TO `Data Engineers```
-- schema
GRANT USE SCHEMA ON SCHEMA `e``hr`.`x; drop table y; --` TO `Data Engineers```
REVOKE USE SCHEMA ON SCHEMA `e``hr`.`x; drop table y; --` FROM `Data Engineers```
GRANT CREATE TABLE ON SCHEMA `e``hr`.`x; drop table y; --` TO `Data Engineers```
REVOKE CREATE TABLE ON SCHEMA `e``hr`.`x; drop table y; --` FROM `Data Engineers```
GRANT APPLY TAG ON SCHEMA `e``hr`.`x; drop table y; --` TO `Data Engineers```
REVOKE APPLY TAG ON SCHEMA `e``hr`.`x; drop table y; --` FROM `Data Engineers```
GRANT CREATE FUNCTION ON SCHEMA `e``hr`.`x; drop table y; --` TO `Data Engineers```
REVOKE CREATE FUNCTION ON SCHEMA `e``hr`.`x; drop table y; --` FROM `Data Engineers```
GRANT CREATE MATERIALIZED VIEW ON SCHEMA `e``hr`.`x; drop table y; --` TO `Data Engineers```
REVOKE CREATE MATERIALIZED VIEW ON SCHEMA `e``hr`.`x; drop table y; --` FROM `Data Engineers```
GRANT CREATE MODEL ON SCHEMA `e``hr`.`x; drop table y; --` TO `Data Engineers```
REVOKE CREATE MODEL ON SCHEMA `e``hr`.`x; drop table y; --` FROM `Data Engineers```
GRANT CREATE VOLUME ON SCHEMA `e``hr`.`x; drop table y; --` TO `Data Engineers```
REVOKE CREATE VOLUME ON SCHEMA `e``hr`.`x; drop table y; --` FROM `Data Engineers```
GRANT EXTERNAL USE SCHEMA ON SCHEMA `e``hr`.`x; drop table y; --` TO `Data Engineers```
REVOKE EXTERNAL USE SCHEMA ON SCHEMA `e``hr`.`x; drop table y; --` FROM `Data Engineers```
GRANT MANAGE ON SCHEMA `e``hr`.`x; drop table y; --` TO `Data Engineers```
REVOKE MANAGE ON SCHEMA `e``hr`.`x; drop table y; --` FROM `Data Engineers```
GRANT EXECUTE ON SCHEMA `e``hr`.`x; drop table y; --` TO `Data Engineers```
REVOKE EXECUTE ON SCHEMA `e``hr`.`x; drop table y; --` FROM `Data Engineers```
GRANT MODIFY ON SCHEMA `e``hr`.`x; drop table y; --` TO `Data Engineers```
REVOKE MODIFY ON SCHEMA `e``hr`.`x; drop table y; --` FROM `Data Engineers```
GRANT READ VOLUME ON SCHEMA `e``hr`.`x; drop table y; --` TO `Data Engineers```
REVOKE READ VOLUME ON SCHEMA `e``hr`.`x; drop table y; --` FROM `Data Engineers```
GRANT REFRESH ON SCHEMA `e``hr`.`x; drop table y; --` TO `Data Engineers```
REVOKE REFRESH ON SCHEMA `e``hr`.`x; drop table y; --` FROM `Data Engineers```
GRANT SELECT ON SCHEMA `e``hr`.`x; drop table y; --` TO `Data Engineers```
REVOKE SELECT ON SCHEMA `e``hr`.`x; drop table y; --` FROM `Data Engineers```
GRANT WRITE VOLUME ON SCHEMA `e``hr`.`x; drop table y; --` TO `Data Engineers```
REVOKE WRITE VOLUME ON SCHEMA `e``hr`.`x; drop table y; --` FROM `Data Engineers```
ALTER SCHEMA `e``hr`.`x; drop table y; --` SET OWNER TO `Data Engineers```
-- table
GRANT SELECT ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE SELECT ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT MODIFY ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE MODIFY ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT APPLY TAG ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE APPLY TAG ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT MANAGE ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE MANAGE ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
ALTER TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` SET OWNER TO `Data Engineers```
-- view
GRANT SELECT ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE SELECT ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT APPLY TAG ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE APPLY TAG ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT MANAGE ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE MANAGE ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
ALTER VIEW `e``hr`.`x; drop table y; --`.`données "日本" ü` SET OWNER TO `Data Engineers```
-- materialized_view
GRANT SELECT ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE SELECT ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT REFRESH ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE REFRESH ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT APPLY TAG ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE APPLY TAG ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT MANAGE ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE MANAGE ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
ALTER MATERIALIZED VIEW `e``hr`.`x; drop table y; --`.`données "日本" ü` SET OWNER TO `Data Engineers```
-- streaming_table
GRANT SELECT ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE SELECT ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT REFRESH ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE REFRESH ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT APPLY TAG ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE APPLY TAG ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT MANAGE ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE MANAGE ON TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
ALTER STREAMING TABLE `e``hr`.`x; drop table y; --`.`données "日本" ü` SET OWNER TO `Data Engineers```
-- volume
GRANT READ VOLUME ON VOLUME `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE READ VOLUME ON VOLUME `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT WRITE VOLUME ON VOLUME `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE WRITE VOLUME ON VOLUME `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT APPLY TAG ON VOLUME `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE APPLY TAG ON VOLUME `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT MANAGE ON VOLUME `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE MANAGE ON VOLUME `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
ALTER VOLUME `e``hr`.`x; drop table y; --`.`données "日本" ü` SET OWNER TO `Data Engineers```
-- function
GRANT EXECUTE ON FUNCTION `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE EXECUTE ON FUNCTION `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT MANAGE ON FUNCTION `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE MANAGE ON FUNCTION `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
ALTER FUNCTION `e``hr`.`x; drop table y; --`.`données "日本" ü` SET OWNER TO `Data Engineers```
-- model
GRANT EXECUTE ON FUNCTION `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE EXECUTE ON FUNCTION `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT APPLY TAG ON FUNCTION `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE APPLY TAG ON FUNCTION `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
GRANT MANAGE ON FUNCTION `e``hr`.`x; drop table y; --`.`données "日本" ü` TO `Data Engineers```
REVOKE MANAGE ON FUNCTION `e``hr`.`x; drop table y; --`.`données "日本" ü` FROM `Data Engineers```
-- external_location
GRANT READ FILES ON EXTERNAL LOCATION `external_location 'name' ``q``` TO `Data Engineers```
REVOKE READ FILES ON EXTERNAL LOCATION `external_location 'name' ``q``` FROM `Data Engineers```
GRANT WRITE FILES ON EXTERNAL LOCATION `external_location 'name' ``q``` TO `Data Engineers```
REVOKE WRITE FILES ON EXTERNAL LOCATION `external_location 'name' ``q``` FROM `Data Engineers```
GRANT CREATE EXTERNAL TABLE ON EXTERNAL LOCATION `external_location 'name' ``q``` TO `Data Engineers```
REVOKE CREATE EXTERNAL TABLE ON EXTERNAL LOCATION `external_location 'name' ``q``` FROM `Data Engineers```
GRANT CREATE EXTERNAL VOLUME ON EXTERNAL LOCATION `external_location 'name' ``q``` TO `Data Engineers```
REVOKE CREATE EXTERNAL VOLUME ON EXTERNAL LOCATION `external_location 'name' ``q``` FROM `Data Engineers```
GRANT CREATE MANAGED STORAGE ON EXTERNAL LOCATION `external_location 'name' ``q``` TO `Data Engineers```
REVOKE CREATE MANAGED STORAGE ON EXTERNAL LOCATION `external_location 'name' ``q``` FROM `Data Engineers```
GRANT CREATE FOREIGN SECURABLE ON EXTERNAL LOCATION `external_location 'name' ``q``` TO `Data Engineers```
REVOKE CREATE FOREIGN SECURABLE ON EXTERNAL LOCATION `external_location 'name' ``q``` FROM `Data Engineers```
GRANT BROWSE ON EXTERNAL LOCATION `external_location 'name' ``q``` TO `Data Engineers```
REVOKE BROWSE ON EXTERNAL LOCATION `external_location 'name' ``q``` FROM `Data Engineers```
GRANT EXTERNAL USE LOCATION ON EXTERNAL LOCATION `external_location 'name' ``q``` TO `Data Engineers```
REVOKE EXTERNAL USE LOCATION ON EXTERNAL LOCATION `external_location 'name' ``q``` FROM `Data Engineers```
GRANT MANAGE ON EXTERNAL LOCATION `external_location 'name' ``q``` TO `Data Engineers```
REVOKE MANAGE ON EXTERNAL LOCATION `external_location 'name' ``q``` FROM `Data Engineers```
ALTER EXTERNAL LOCATION `external_location 'name' ``q``` SET OWNER TO `Data Engineers```
-- storage_credential
GRANT READ FILES ON STORAGE CREDENTIAL `storage_credential 'name' ``q``` TO `Data Engineers```
REVOKE READ FILES ON STORAGE CREDENTIAL `storage_credential 'name' ``q``` FROM `Data Engineers```
GRANT WRITE FILES ON STORAGE CREDENTIAL `storage_credential 'name' ``q``` TO `Data Engineers```
REVOKE WRITE FILES ON STORAGE CREDENTIAL `storage_credential 'name' ``q``` FROM `Data Engineers```
GRANT CREATE EXTERNAL TABLE ON STORAGE CREDENTIAL `storage_credential 'name' ``q``` TO `Data Engineers```
REVOKE CREATE EXTERNAL TABLE ON STORAGE CREDENTIAL `storage_credential 'name' ``q``` FROM `Data Engineers```
GRANT CREATE EXTERNAL LOCATION ON STORAGE CREDENTIAL `storage_credential 'name' ``q``` TO `Data Engineers```
REVOKE CREATE EXTERNAL LOCATION ON STORAGE CREDENTIAL `storage_credential 'name' ``q``` FROM `Data Engineers```
GRANT MANAGE ON STORAGE CREDENTIAL `storage_credential 'name' ``q``` TO `Data Engineers```
REVOKE MANAGE ON STORAGE CREDENTIAL `storage_credential 'name' ``q``` FROM `Data Engineers```
ALTER STORAGE CREDENTIAL `storage_credential 'name' ``q``` SET OWNER TO `Data Engineers```
-- service_credential
GRANT ACCESS ON SERVICE CREDENTIAL `service_credential 'name' ``q``` TO `Data Engineers```
REVOKE ACCESS ON SERVICE CREDENTIAL `service_credential 'name' ``q``` FROM `Data Engineers```
GRANT CREATE CONNECTION ON SERVICE CREDENTIAL `service_credential 'name' ``q``` TO `Data Engineers```
REVOKE CREATE CONNECTION ON SERVICE CREDENTIAL `service_credential 'name' ``q``` FROM `Data Engineers```
GRANT MANAGE ON SERVICE CREDENTIAL `service_credential 'name' ``q``` TO `Data Engineers```
REVOKE MANAGE ON SERVICE CREDENTIAL `service_credential 'name' ``q``` FROM `Data Engineers```
ALTER SERVICE CREDENTIAL `service_credential 'name' ``q``` SET OWNER TO `Data Engineers```
-- connection
GRANT USE CONNECTION ON CONNECTION `connection 'name' ``q``` TO `Data Engineers```
REVOKE USE CONNECTION ON CONNECTION `connection 'name' ``q``` FROM `Data Engineers```
GRANT CREATE FOREIGN CATALOG ON CONNECTION `connection 'name' ``q``` TO `Data Engineers```
REVOKE CREATE FOREIGN CATALOG ON CONNECTION `connection 'name' ``q``` FROM `Data Engineers```
GRANT MANAGE ON CONNECTION `connection 'name' ``q``` TO `Data Engineers```
REVOKE MANAGE ON CONNECTION `connection 'name' ``q``` FROM `Data Engineers```
ALTER CONNECTION `connection 'name' ``q``` SET OWNER TO `Data Engineers```
-- share
GRANT SELECT ON SHARE `share 'name' ``q``` TO RECIPIENT `Data Engineers```
REVOKE SELECT ON SHARE `share 'name' ``q``` FROM RECIPIENT `Data Engineers```
ALTER SHARE `share 'name' ``q``` SET OWNER TO `Data Engineers```
-- recipient
ALTER RECIPIENT `recipient 'name' ``q``` SET OWNER TO `Data Engineers```
