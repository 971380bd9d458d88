package main

import (
	"slices"
	"testing"
)

func TestQuietSDKLogs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		environ []string
		quiet   bool
	}{
		{"no logging variable", []string{"PATH=/bin", "HOME=/home/u"}, true},
		{"an empty TF_LOG is unset", []string{"TF_LOG="}, true},
		{"TF_LOG", []string{"TF_LOG=trace"}, false},
		{"TF_LOG_PROVIDER", []string{"TF_LOG_PROVIDER=debug"}, false},
		{"TF_LOG_PATH", []string{"TF_LOG_PATH=/tmp/tf.log"}, false},
		{"an SDK level chosen by the user", []string{"TF_LOG_SDK_FRAMEWORK=debug"}, false},
		{"acceptance-test log path", []string{"TF_ACC_LOG_PATH=/tmp/acc.log"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := quietSDKLogs(tc.environ)
			if tc.quiet && !slices.Equal(got, sdkLogLevelVariables) {
				t.Errorf("got %v, want every SDK logger turned off", got)
			}
			if !tc.quiet && got != nil {
				t.Errorf("got %v, want the user's logging left alone", got)
			}
		})
	}
}
