FROM debian:jessie
