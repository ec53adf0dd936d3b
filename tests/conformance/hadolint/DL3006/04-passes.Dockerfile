FROM ruby:2
