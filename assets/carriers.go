package assets

import _ "embed"

// CarriersCSV is the Kuaidi100 carrier table: a header line "name,code,kind"
// then one row per carrier (Chinese name, Kuaidi100 company code, 国内运输商 /
// 国际运输商 / 国际邮政), in the order of popularity of the source table.
// Codes are trimmed and unique. Source: reference/company-codes.csv
// (github.com/dongasai/kuaidi100 doc/new.csv, MIT). Read-only; package
// kuaidi100 parses it once.
//
//go:embed carriers.csv
var CarriersCSV []byte
