//go:build windows

package store

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// On NTFS the owner-only mode means nothing, so on Windows the secrets file
// holds the JSON encrypted with DPAPI (CryptProtectData) for the signed-in
// Windows user: another account on the PC, or the file copied to another
// PC, cannot read it. The file is one line of text so a person opening it
// sees what it is:
//
//	shipdesk-dpapi-1 <base64 of the DPAPI blob>

// sealedPrefix starts an encrypted secrets file.
const sealedPrefix = "shipdesk-dpapi-1 "

// errUnseal says the file cannot be decrypted by this Windows user.
var errUnseal = errors.New("the secrets file was encrypted by another Windows user or PC and cannot be read here; enter the Kuaidi100 credentials again in 设置 (凭据文件是别的 Windows 用户或电脑加密的，请在设置里重新填写快递100账号)")

func sealSecrets(plain []byte) ([]byte, error) {
	desc, _ := windows.UTF16PtrFromString("Shipdesk credentials")
	blob, err := dpapi(plain, func(in, out *windows.DataBlob) error {
		return windows.CryptProtectData(in, desc, nil, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, out)
	})
	if err != nil {
		return nil, fmt.Errorf("encrypt for this Windows user: %w", err)
	}
	return []byte(sealedPrefix + base64.StdEncoding.EncodeToString(blob) + "\r\n"), nil
}

// unsealSecrets decrypts a sealed file; a plain one comes back as it is
// with sealed false, for LoadSecrets to encrypt.
func unsealSecrets(data []byte) (plain []byte, sealed bool, err error) {
	rest, ok := bytes.CutPrefix(data, []byte(sealedPrefix))
	if !ok {
		return data, false, nil
	}
	blob, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(rest)))
	if err != nil || len(blob) == 0 {
		return nil, true, fmt.Errorf("encrypted secrets file is damaged (%v); enter the Kuaidi100 credentials again in 设置", err)
	}
	plain, err = dpapi(blob, func(in, out *windows.DataBlob) error {
		return windows.CryptUnprotectData(in, nil, nil, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, out)
	})
	if err != nil {
		return nil, true, fmt.Errorf("%w (%v)", errUnseal, err)
	}
	return plain, true, nil
}

// dpapi runs one CryptProtectData/CryptUnprotectData call on data and
// returns a Go copy of its output, freeing the system's.
func dpapi(data []byte, call func(in, out *windows.DataBlob) error) ([]byte, error) {
	if len(data) == 0 {
		return nil, errors.New("nothing to encrypt")
	}
	in := windows.DataBlob{Size: uint32(len(data)), Data: &data[0]}
	var out windows.DataBlob
	if err := call(&in, &out); err != nil {
		return nil, err
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return bytes.Clone(unsafe.Slice(out.Data, out.Size)), nil
}
