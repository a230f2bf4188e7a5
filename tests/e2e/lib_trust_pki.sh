# shellcheck shell=bash disable=SC2034
# X.509 for the trust lab, sourced by lib_trust.sh: `openssl ca` configurations,
# keys, CAs and the certificates they issue, all dated from TRUST_NOT_BEFORE to
# TRUST_NOT_AFTER, and archiso's detached CMS signature.

readonly TRUST_NOT_BEFORE=20240101000000Z
readonly TRUST_NOT_AFTER=20491231235959Z

# Write a minimal `openssl ca` configuration for the CA in directory $1.
trust_ca_config() {
	local dir=$1
	cat <<-EOF
		[ ca ]
		default_ca = ca_default
		[ ca_default ]
		dir = $dir
		database = $dir/index.txt
		new_certs_dir = $dir/newcerts
		serial = $dir/serial
		default_md = sha256
		policy = policy_any
		unique_subject = no
		email_in_dn = no
		copy_extensions = none
		[ policy_any ]
		commonName = supplied
		organizationName = optional
		[ req ]
		distinguished_name = req_dn
		[ req_dn ]
		[ ext_ca ]
		basicConstraints = critical,CA:true
		keyUsage = critical,keyCertSign,cRLSign
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid:always
		[ ext_codesign ]
		basicConstraints = critical,CA:false
		keyUsage = critical,digitalSignature
		extendedKeyUsage = codeSigning
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid,issuer
		[ ext_server ]
		basicConstraints = critical,CA:false
		keyUsage = critical,digitalSignature,keyEncipherment
		extendedKeyUsage = serverAuth
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid,issuer
		subjectAltName = IP:10.0.2.2,IP:127.0.0.1
	EOF
}

# Generate private key $1 of kind $2 (rsa or ec).
trust_genkey() {
	case "$2" in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null ;;
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null ;;
	esac
	chmod 0600 "$1"
}

# Create a CA in directory $1 with subject CN $2: $1/ca.key and the self-signed
# $1/ca.crt (made by `openssl ca -selfsign` so that its dates can be set).
trust_make_ca() {
	local dir=$1 cn=$2
	mkdir -p "$dir/newcerts"
	: >"$dir/index.txt"
	openssl rand -hex 8 >"$dir/serial"
	trust_ca_config "$dir" >"$dir/ca.cnf"
	trust_genkey "$dir/ca.key" rsa
	openssl req -new -key "$dir/ca.key" -subj "/O=pxeroot tests/CN=$cn" \
		-config "$dir/ca.cnf" -out "$dir/ca.csr"
	openssl ca -batch -notext -config "$dir/ca.cnf" -selfsign -keyfile "$dir/ca.key" \
		-in "$dir/ca.csr" -out "$dir/ca.crt" -extensions ext_ca \
		-startdate "$TRUST_NOT_BEFORE" -enddate "$TRUST_NOT_AFTER" 2>/dev/null
}

# Issue with the CA in directory $1 a key $1/$2.key (kind $5) and certificate
# $1/$2.crt with subject CN $3 and the extension section $4 of the CA config, valid
# from $6 to $7 (YYYYMMDDHHMMSSZ; default the test dates).
trust_issue() {
	local dir=$1 name=$2 cn=$3 ext=$4 kind=$5 start=${6:-$TRUST_NOT_BEFORE} end=${7:-$TRUST_NOT_AFTER}
	trust_genkey "$dir/$name.key" "$kind"
	openssl req -new -key "$dir/$name.key" -subj "/O=pxeroot tests/CN=$cn" \
		-config "$dir/ca.cnf" -out "$dir/$name.csr"
	openssl ca -batch -notext -config "$dir/ca.cnf" -cert "$dir/ca.crt" -keyfile "$dir/ca.key" \
		-in "$dir/$name.csr" -out "$dir/$name.crt" -extensions "$ext" \
		-startdate "$start" -enddate "$end" 2>/dev/null
}

# Write archiso's CMS signature $4 (DER, detached, no certificates, no signed
# attributes) of file $1 with certificate $2 and key $3.
trust_sign_cms() {
	openssl cms -sign -binary -nocerts -noattr -outform DER -in "$1" -signer "$2" \
		-inkey "$3" -out "$4" || lab_die "openssl cms -sign $1 failed"
}
